/**
 * Streamed request bodies: the part of the transport contract for bodies that are not delivered
 * whole (issue 10, request half).
 *
 * Off unless `limits.maxStreamBodyBytes` > 0. Then a request whose body is larger than
 * `maxBodyBytes` (declared by Content-Length, or chunked and not complete within the read that
 * completed its head; see below for smaller Content-Length bodies) is handed to `onBatch` at once with the `BODY_STREAM` flag and an empty
 * `body(i)`; its body follows as chunks through `handlers.onBodyChunks` (one call per read / loop
 * turn, after that turn's `onBatch`), never more than `bodyWindow` bytes ahead of what JS said it
 * consumed (`Responder.bodyRead`): above the window the connection is not read. A Content-Length
 * above `maxStreamBodyBytes` is answered 413 before the body is read (as today); a chunked body that
 * grows over it ends its stream with 413 and the transport answers 413 and closes.
 *
 * With streaming on, a Content-Length body of 64 KiB or more (up to `maxStreamBodyBytes`) that is not
 * complete in the read that completed its head is streamed too, even under `maxBodyBytes`: the
 * native loop reads such a body straight into buffers JS keeps (`BodyChunks.keep`, no copy), which
 * is cheaper than gathering it whole and copying it into the batch. Core reads a streamed body the
 * same way whatever its size (`req.bytes()` still stops at `maxBodyBytes`).
 *
 * Bodies up to `maxBodyBytes` that arrive with their head (or are under 64 KiB), and every body when
 * streaming is off, are delivered whole as before: the whole-message fast path does not change.
 */

/** A Content-Length body this large or larger that is not complete with its head streams (see above). */
export const STREAM_MIN_BODY = 64 * 1024;

/** Flag bit (with the `RequestFlag` bits of `flags(i)`): the body of request i comes as chunks. */
export const BODY_STREAM = 256;

/** `chunkEnd(k)`: more chunks follow. */
export const BODY_MORE = 0;
/** `chunkEnd(k)`: the body is complete (this is its last chunk, possibly empty). */
export const BODY_DONE = 1;
/**
 * `chunkEnd(k)` values above 1 are failures: the body will not complete. 413 (over
 * `maxStreamBodyBytes`), 400 (bad chunked framing), 408 (body timeout; also when JS never read a
 * lagging body) — the transport answers these itself and closes — or 499 (the client went away).
 */
export const BODY_ABORTED = 499;

/** The body chunks of one read / loop turn, in arrival order (several requests and connections). */
export interface BodyChunks {
  readonly count: number;
  conn(k: number): number;
  seq(k: number): number;
  /** The bytes of chunk k: valid only during the call (copy what you keep). */
  data(k: number): Uint8Array;
  /**
   * The bytes of chunk k as memory the caller may keep: a view when the transport read them into
   * memory of their own (the native loop's direct body reads), else a copy. Optional: without it,
   * copy `data(k)`.
   */
  keep?(k: number): Uint8Array;
  /** `BODY_MORE`, `BODY_DONE` or a failure status (see `BODY_ABORTED`). */
  end(k: number): number;
}

/** What JS tells the transport about a streamed body (methods of the `Responder`). */
export interface BodyStreamControl {
  /**
   * `bytes` of the body of (conn, seq) were consumed: the window reopens by that much. The first call
   * (bytes may be 0) sends `100 Continue` when the client asked for it (after earlier responses).
   * `borrowed` (heeded in the first call only): the reader reports each chunk consumed only once it
   * is done with it (the consumer asked for the next one or stopped), so memory of chunks reported
   * consumed may be reused for later chunks (the native loop reuses its body buffers; the JS
   * transport ignores it).
   */
  bodyRead(conn: number, seq: number, bytes: number, borrowed?: boolean): void;
}

/** The extra handler a user of streamed bodies implements. */
export interface BodyStreamHandlers {
  /** Chunks of streamed bodies (see `BodyChunks`); called after the `onBatch` of the same turn. */
  onBodyChunks?(chunks: BodyChunks): void;
}

/** Limits of streamed bodies (in `ServerOptions.limits`). */
export interface BodyStreamLimits {
  /**
   * Largest streamed body (0: streaming off, the default; `Infinity` allowed). Bodies above
   * `maxBodyBytes` up to this are streamed.
   */
  maxStreamBodyBytes?: number;
  /** Bytes of a streamed body delivered and not yet consumed before reading pauses (256 KiB). */
  bodyWindow?: number;
  /**
   * A response sent before its streamed body was read: up to this many remaining body bytes are read
   * and discarded so the connection stays usable (1 MiB); a larger rest closes the connection after
   * the response.
   */
  maxDiscardBytes?: number;
}
