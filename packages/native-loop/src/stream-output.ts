/**
 * The transport contract of a streamed response (the body sent piece by piece as it is produced).
 *
 * `responder.stream(conn, seq, head, events)` takes the place of `respond` for request (conn, seq):
 * the head goes out when every earlier response of the connection is out, then each `write`, then
 * `end()` lets the later (pipelined) responses of the connection follow, in order; they are held
 * until then. The transport sends the bytes as given: the body framing (a `Content-Length` in the
 * head, or `Transfer-Encoding: chunked` and its chunk framing) is the caller's.
 */

/** What the transport tells the producer of a streamed response. */
export interface ResponseStreamEvents {
  /**
   * After a `write` returned false: the connection's unsent output went back under the high-water
   * mark; write again. Called at most once per `false`.
   */
  onDrain(): void;
  /** The connection went away before `end()` (client closed or reset, timeout, shutdown): stop. */
  onClose(): void;
}

/** The producer's side of a streamed response. */
export interface ResponseStream {
  /**
   * Queue body bytes (a string is sent as UTF-8). Returns false when the connection's unsent output
   * is at or above the high-water mark: stop writing until `events.onDrain`. Ignored once closed.
   */
  write(chunk: string | Uint8Array): boolean;
  /**
   * Optional: `prefix`, `chunk` and `suffix` as one write (e.g. a chunk with its chunked-coding
   * framing), with the result of `write`. The transport holds no reference to `chunk` once it
   * returns (a large one may be written from its own memory during the call, not copied) — unless
   * `handedOver`: the caller promises `chunk` is never modified again, so the transport may keep a
   * reference until it is written (native: the chunks of a tick are written from their own memory
   * with the tick's one write per connection; what the socket does not take is copied then).
   */
  writeFramed?(prefix: string, chunk: Uint8Array, suffix: string, handedOver?: boolean): boolean;
  /**
   * Optional: `text` (UTF-8, not empty) as one chunk of the chunked transfer coding — the transport
   * adds its size line and CRLF after encoding it once (no separate byte count) — with the result of
   * `write`. Only for a response whose head says `Transfer-Encoding: chunked`.
   */
  writeChunk?(text: string): boolean;
  /** The body is complete: the connection goes on with its next response (or closes if it was the last). */
  end(): void;
  /**
   * Give up: what was written is sent, then the connection is closed without anything more, so the
   * client sees a truncated message (no final chunk / fewer bytes than the Content-Length).
   */
  abort(): void;
  /** True once ended, aborted or the connection went away. */
  readonly closed: boolean;
}

/** A Responder that can stream (both transports implement it). */
export interface StreamingResponder {
  /**
   * Start a streamed response to request (conn, seq).
   * @param head status line + header block ending with `\r\n\r\n`
   * @param close close the connection after this response
   * @returns the stream; for a connection that is gone, one that is already closed (its `onClose`
   *   is not called)
   */
  stream(conn: number, seq: number, head: string, close: boolean, events: ResponseStreamEvents): ResponseStream;
}

/** A stream that is already closed: what `stream()` returns for a connection that is gone. */
export const CLOSED_STREAM: ResponseStream = Object.freeze({
  write: () => false,
  end: () => {},
  abort: () => {},
  closed: true,
});
