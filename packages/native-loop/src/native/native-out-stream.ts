import type { ResponseStream, ResponseStreamEvents } from '../stream-output.js';
import { OutFlag } from './layout.js';

/** Where a NativeOutStream writes its rows (the OutputWriter). */
export interface StreamRows {
  streamRow(s: NativeOutStream, body: string | Uint8Array | null, flags: number): void;
}

/**
 * A streamed response of the native transport: every write is an output row (gathered with the
 * other rows of the turn into the connection's one write). The producer is throttled by the bytes
 * it wrote since the loop last reported the connection's unsent output under the high-water mark:
 * at the mark `write` returns false and the row asks the loop for one drain notice.
 */
export class NativeOutStream implements ResponseStream {
  closed = false;
  private unacked = 0;
  private wantsDrain = false;

  constructor(
    private readonly rows: StreamRows,
    readonly conn: number,
    readonly seq: number,
    private readonly close: boolean,
    private readonly events: ResponseStreamEvents,
    private readonly highWaterMark: number,
  ) {}

  write(chunk: string | Uint8Array): boolean {
    if (this.closed) return false;
    const size = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (size === 0) return !this.wantsDrain;
    this.unacked += size;
    const over = this.unacked >= this.highWaterMark;
    if (over) this.wantsDrain = true;
    this.rows.streamRow(this, chunk, over ? OutFlag.StreamData | OutFlag.WantDrain : OutFlag.StreamData);
    return !over;
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.rows.streamRow(this, null, OutFlag.StreamEnd | (this.close ? OutFlag.Close : 0));
  }

  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.rows.streamRow(this, null, OutFlag.StreamAbort | OutFlag.Close);
  }

  /** @internal the connection's unsent output went under the mark */
  drained(): void {
    this.unacked = 0;
    if (!this.wantsDrain || this.closed) return;
    this.wantsDrain = false;
    try {
      this.events.onDrain();
    } catch (error) {
      process.emitWarning(`jato: a response stream's onDrain threw: ${String(error)}`);
    }
  }

  /** @internal the connection went away (or its client half-closed) */
  lost(): void {
    if (this.closed) return;
    this.closed = true;
    // a half-closed connection is kept for its answers: this one never ends, so let the loop close it
    this.rows.streamRow(this, null, OutFlag.StreamAbort | OutFlag.Close);
    try {
      this.events.onClose();
    } catch (error) {
      process.emitWarning(`jato: a response stream's onClose threw: ${String(error)}`);
    }
  }
}
