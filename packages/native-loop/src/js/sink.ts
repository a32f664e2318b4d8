/**
 * Where a connection's bytes go: a real socket (server) or a memory buffer (inject).
 * The connection logic (ordering, keep-alive, errors, timeouts) does not know which.
 */
export interface ConnectionSink {
  /** Writes the output gathered by one flush (several pieces are written together, e.g. corked). */
  write(pieces: ReadonlyArray<string | Uint8Array>): void;
  /** Output handed to `write` that is not yet sent. */
  readonly pendingBytes: number;
  /** A count of queued output that shrinks whenever bytes reach the peer (write-progress detection). */
  readonly queuedBytes: number;
  /** Stops delivering input (backpressure) until `resume`. */
  pause(): void;
  resume(): void;
  /** Sends everything written, then ends our side (FIN); input keeps being read and discarded. */
  end(): void;
  /** Closes at once, dropping unsent output. */
  destroy(): void;
}
