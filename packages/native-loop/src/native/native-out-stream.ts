import { ResponseStreamBase } from '../response-stream-base.js';
import type { ResponseStreamEvents } from '../stream-output.js';
import { OutFlag } from './layout.js';

/** Where a NativeOutStream writes its rows (the OutputWriter). */
export interface StreamRows {
  streamRow(s: NativeOutStream, body: string | Uint8Array | null, flags: number): void;
  /**
   * prefix, chunk (lent when large: written during the call; handed over: lent with the tick's
   * flush) and suffix rows.
   */
  framedRows(s: NativeOutStream, prefix: string, chunk: Uint8Array, suffix: string, flags: number, handedOver?: boolean): void;
  /** One row: `text` as a chunk of the chunked coding (size line, text, CRLF). */
  chunkRow(s: NativeOutStream, text: string, flags: number): void;
}

/**
 * A streamed response of the native transport: every write is an output row (gathered with the
 * other rows of the turn into the connection's one write). The producer is throttled by the bytes
 * it wrote since the loop last reported the connection's unsent output under the high-water mark:
 * at the mark `write` returns false and the row asks the loop for one drain notice.
 */
export class NativeOutStream extends ResponseStreamBase {
  private unacked = 0;

  constructor(
    private readonly rows: StreamRows,
    readonly conn: number,
    readonly seq: number,
    private readonly close: boolean,
    events: ResponseStreamEvents,
    private readonly highWaterMark: number,
  ) {
    super(events);
  }

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

  /**
   * @internal `size` bytes written to this stream from a span shared with other streams (see
   * OutputWriter.streamPublish): counted like `write`; returns the row's flags (WantDrain at the mark).
   */
  account(size: number): number {
    this.unacked += size;
    if (this.unacked < this.highWaterMark) return OutFlag.StreamData;
    this.wantsDrain = true;
    return OutFlag.StreamData | OutFlag.WantDrain;
  }

  writeFramed(prefix: string, chunk: Uint8Array, suffix: string, handedOver?: boolean): boolean {
    if (this.closed) return false;
    this.unacked += prefix.length + chunk.byteLength + suffix.length;
    const over = this.unacked >= this.highWaterMark;
    if (over) this.wantsDrain = true;
    this.rows.framedRows(this, prefix, chunk, suffix, over ? OutFlag.StreamData | OutFlag.WantDrain : OutFlag.StreamData, handedOver);
    return !over;
  }

  writeChunk(text: string): boolean {
    if (this.closed) return false;
    if (text.length === 0) return !this.wantsDrain; // an empty chunk would end the body
    this.unacked += text.length;
    const over = this.unacked >= this.highWaterMark;
    if (over) this.wantsDrain = true;
    this.rows.chunkRow(this, text, over ? OutFlag.StreamData | OutFlag.WantDrain : OutFlag.StreamData);
    return !over;
  }

  protected endOutput(): void {
    this.rows.streamRow(this, null, OutFlag.StreamEnd | (this.close ? OutFlag.Close : 0));
  }

  protected abortOutput(): void {
    this.rows.streamRow(this, null, OutFlag.StreamAbort | OutFlag.Close);
  }

  /** @internal the connection's unsent output went under the mark */
  override drained(): void {
    this.unacked = 0;
    super.drained();
  }

  /** A half-closed connection is kept for its answers: this one never ends, so let the loop close it. */
  protected override lostOutput(): void {
    this.rows.streamRow(this, null, OutFlag.StreamAbort | OutFlag.Close);
  }
}
