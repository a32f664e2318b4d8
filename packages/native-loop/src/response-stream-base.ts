import type { ResponseStream, ResponseStreamEvents } from './stream-output.js';

/**
 * The bookkeeping both transports' streamed responses share: the `closed` state (set once, by
 * `end`, `abort` or the connection going away), the producer's drain request, and the calls into
 * the producer's `events` (each at most once per cause; what they throw becomes a process warning,
 * never an exception in the transport). A transport says what `write`, ending, aborting and losing
 * the connection do to its output.
 * @internal
 */
export abstract class ResponseStreamBase implements ResponseStream {
  closed = false;
  /** A write returned false: `events.onDrain` is due once the output is under the mark. */
  wantsDrain = false;

  constructor(protected readonly events: ResponseStreamEvents) {}

  abstract write(chunk: string | Uint8Array): boolean;

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.endOutput();
  }

  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.abortOutput();
  }

  /** The connection went away (or its client half-closed): tell the producer, once. */
  lost(): void {
    if (this.closed) return;
    this.closed = true;
    this.lostOutput();
    notify(this.events, 'onClose');
  }

  /** The connection's unsent output went under the mark: wake a producer a write refused. */
  drained(): void {
    if (!this.wantsDrain || this.closed) return;
    this.wantsDrain = false;
    notify(this.events, 'onDrain');
  }

  /** `end()` closed the stream: the body is complete. */
  protected abstract endOutput(): void;
  /** `abort()` closed the stream: the connection is to close after what was written. */
  protected abstract abortOutput(): void;
  /** The connection went away: what the transport does with the stream's output (nothing by default). */
  protected lostOutput(): void {}
}

function notify(events: ResponseStreamEvents, name: 'onClose' | 'onDrain'): void {
  try {
    events[name]();
  } catch (error) {
    process.emitWarning(`jato: a response stream's ${name} threw: ${String(error)}`);
  }
}
