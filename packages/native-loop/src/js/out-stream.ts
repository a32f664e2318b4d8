import type { ResponseStream, ResponseStreamEvents } from '../stream-output.js';

/** What an OutStream needs from its connection (the JS transport's Connection). */
export interface StreamOwner {
  streamWrite(s: OutStream, chunk: string | Uint8Array): boolean;
  streamEnd(s: OutStream): void;
  streamAbort(s: OutStream): void;
}

/**
 * One streamed response of the JS transport. Before its turn (earlier responses of the connection
 * not out yet) what is written waits in `pending`; from its turn on it goes to the connection's
 * output like any response.
 */
export class OutStream implements ResponseStream {
  closed = false;
  ended = false;
  aborted = false;
  /** A write returned false: `events.onDrain` is due once the output is under the mark. */
  wantsDrain = false;
  /** Bytes written before its turn (null once it is the connection's current response). */
  pending: Array<string | Uint8Array> | null = [];
  pendingBytes = 0;

  constructor(
    private readonly owner: StreamOwner,
    readonly seq: number,
    readonly head: string,
    readonly close: boolean,
    readonly events: ResponseStreamEvents,
  ) {}

  write(chunk: string | Uint8Array): boolean {
    if (this.closed) return false;
    return this.owner.streamWrite(this, chunk);
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    this.owner.streamEnd(this);
  }

  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.aborted = true;
    this.owner.streamAbort(this);
  }

  /** The connection went away: tell the producer (once). */
  lost(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.events.onClose();
    } catch (error) {
      process.emitWarning(`jato: a response stream's onClose threw: ${String(error)}`);
    }
  }

  /** The output went under the mark after a refused write. */
  drained(): void {
    if (!this.wantsDrain || this.closed) return;
    this.wantsDrain = false;
    try {
      this.events.onDrain();
    } catch (error) {
      process.emitWarning(`jato: a response stream's onDrain threw: ${String(error)}`);
    }
  }
}
