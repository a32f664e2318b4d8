import { WsFrameParser, encodeWsClose, encodeWsFrame, wsHeaderSize, writeWsHeader } from '@jato/parser';
import type { WsAcceptOptions, WsEventBatch, WsSendOpcode } from '../ws-transport.js';
import { WsEventKind, WS_COMPRESSED } from '../ws-transport.js';

/** How long our close frame waits for the peer's before the socket is destroyed (as the native loop). */
const CLOSE_TIMEOUT_MS = 5_000;
const PING = Buffer.from([0x89, 0]);

/** What a WebSocket session needs of its connection (js/connection.ts). */
export interface WsSessionHost {
  readonly id: number;
  /** Queue bytes into the connection's gathered output (one write per flush). */
  wsWrite(bytes: Uint8Array): void;
  /** Output handed to the socket and not yet sent, plus what is gathered. */
  wsPending(): number;
  /** FIN once what is queued is written. */
  wsEnd(): void;
  /** Close now. */
  wsDestroy(): void;
  /** Hand the session's events to the user (in the transport's batch mode). */
  wsDeliver(batch: WsEventBatch): void;
  /** The user asked for a drain notice: tell it. */
  wsDrained(): void;
}

/** Events of one chunk, as a WsEventBatch (views valid during delivery). */
class ArrayWsEvents implements WsEventBatch {
  count = 0;
  readonly kinds: number[] = [];
  readonly codes: number[] = [];
  readonly datas: Uint8Array[] = [];
  constructor(private readonly id: number) {}
  conn(): number {
    return this.id;
  }
  kind(i: number): number {
    return this.kinds[i]!;
  }
  code(i: number): number {
    return this.codes[i]!;
  }
  data(i: number): Uint8Array {
    return this.datas[i]!;
  }
  text(i: number): string {
    const d = this.datas[i]!;
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('utf8');
  }
  push(kind: number, code: number, data: Uint8Array): void {
    this.kinds[this.count] = kind;
    this.codes[this.count] = code;
    this.datas[this.count] = data;
    this.count++;
  }
  reset(): void {
    this.count = 0;
    this.datas.length = 0;
  }
}

/**
 * One upgraded connection on the JS transport: the same contract as the native loop's
 * ws_input.cc / ws_output.cc, with @jato/parser's TypeScript frame parser.
 */
export class WsSession {
  private readonly parser: WsFrameParser;
  private readonly events: ArrayWsEvents;
  private closeSent = false;
  private closeReceived = false;
  private lastRx = Date.now();
  private pingSent = false;
  private drainWanted = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly host: WsSessionHost, private readonly opt: WsAcceptOptions, private readonly highWaterMark: number) {
    this.events = new ArrayWsEvents(host.id);
    this.parser = new WsFrameParser({
      onMessage: (op, data, compressed) => {
        this.events.push((op === 1 ? WsEventKind.Text : WsEventKind.Binary) | (compressed ? WS_COMPRESSED : 0), 0, data);
      },
      onControl: (op, data) => {
        if (op === 9 && !this.closeSent) this.host.wsWrite(encodeWsFrame(10, data));
      },
      onClose: (code, reason) => {
        this.closeReceived = true;
        this.events.push(WsEventKind.Close, code, reason);
        if (!this.closeSent) this.sendClose(code, '');
        this.host.wsEnd();
      },
      onError: (code) => {
        this.closeReceived = true;
        this.events.push(WsEventKind.Close, code, new Uint8Array(0));
        if (!this.closeSent) this.sendClose(code, '');
        this.host.wsEnd();
      },
    }, { maxMessage: opt.maxMessage, allowRsv1: opt.deflate });
    this.arm();
  }

  /** Bytes from the peer. */
  onData(chunk: Uint8Array): void {
    if (this.parser.done) return;
    this.lastRx = Date.now();
    this.pingSent = false;
    let at = 0;
    while (at < chunk.length && !this.parser.done) at += this.parser.parse(chunk.subarray(at));
    if (this.events.count > 0) {
      this.host.wsDeliver(this.events);
      this.events.reset();
    }
  }

  send(opcode: WsSendOpcode, payload: string | Uint8Array, rsv1: boolean, wantDrain: boolean): number {
    if (this.closeSent) return 0;
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    const frame = this.frame(opcode, body, rsv1);
    this.host.wsWrite(frame);
    if (wantDrain) this.drainWanted = true;
    this.checkBackpressure();
    return frame.length;
  }

  /** A frame already built (publish: the same bytes to many sessions). */
  sendFrame(frame: Uint8Array): void {
    if (this.closeSent) return;
    this.host.wsWrite(frame);
    this.checkBackpressure();
  }

  frame(opcode: number, body: Uint8Array, rsv1: boolean): Buffer {
    const h = wsHeaderSize(body.length);
    const frame = Buffer.allocUnsafe(h + body.length);
    writeWsHeader(frame, 0, opcode, body.length, true, rsv1);
    frame.set(body, h);
    return frame;
  }

  close(code: number, reason: string): void {
    if (this.closeSent) return;
    this.sendClose(code, reason);
    if (this.closeReceived) this.host.wsEnd();
  }

  wantDrain(): void {
    this.drainWanted = true;
    if (this.host.wsPending() < this.highWaterMark) queueMicrotask(() => this.onSocketDrain());
  }

  /** The socket's output drained (or went under the mark). */
  onSocketDrain(): void {
    if (!this.drainWanted || this.host.wsPending() >= this.highWaterMark) return;
    this.drainWanted = false;
    this.host.wsDrained();
  }

  /** The server is closing gracefully: 1001, then the peer's close frame or the deadline. */
  goingAway(): void {
    this.close(1001, '');
  }

  /** The socket is gone. */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sendClose(code: number, reason: string): void {
    this.closeSent = true;
    this.host.wsWrite(encodeWsClose(code, reason));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.host.wsDestroy(), CLOSE_TIMEOUT_MS);
    this.timer.unref();
  }

  private checkBackpressure(): void {
    if (this.host.wsPending() > this.opt.maxBackpressure) this.host.wsDestroy();
  }

  /** The idle timeout: a ping first when asked for, then 1001. */
  private arm(): void {
    const idle = this.opt.idleTimeout;
    if (idle <= 0 || this.closeSent) return;
    this.timer = setTimeout(this.onIdleTimer, Math.max(10, this.lastRx + idle - Date.now()));
    this.timer.unref();
  }

  private readonly onIdleTimer = (): void => {
    this.timer = undefined;
    if (this.closeSent) return;
    const now = Date.now();
    if (now - this.lastRx < this.opt.idleTimeout) {
      this.arm();
      return;
    }
    if (this.opt.sendPings && !this.pingSent) {
      this.pingSent = true;
      this.lastRx = now;
      this.host.wsWrite(PING);
      this.arm();
      return;
    }
    this.sendClose(1001, 'idle timeout');
  };
}
