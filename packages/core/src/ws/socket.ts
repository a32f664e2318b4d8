import type { PathParams } from '@jato/router';
import type { WsResponder } from '@jato/native-loop';
import { validCloseCode, validUtf8 } from '@jato/parser';
import type { Deflate } from './deflate.js';
import type { WsHub } from './hub.js';
import type { WsRoute } from './route.js';
import { WsSendStatus } from './types.js';

/** @internal socket states */
export const OPEN = 0;
const CLOSING = 1;
export const CLOSED = 2;

/** Data `send`/`publish` accept: text (string) or bytes. */
export type WsData = string | Uint8Array | ArrayBuffer;

/** @internal */
export function toPayload(data: WsData): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError('WebSocket data must be a string, a Uint8Array or an ArrayBuffer');
}

/**
 * One open WebSocket connection of a route (`app.ws`). `D` is the data `upgrade` returned, `P` the
 * route's path. Sends are gathered with everything else of the loop turn into one write.
 */
export class WebSocket<D = unknown, P extends string = string> {
  /** The per-socket data `upgrade` returned. */
  data: D;
  /** @internal */
  state = OPEN;
  /** @internal the route that accepted it */
  route!: WsRoute;
  /** @internal topics this socket is subscribed to */
  topicSet: Set<string> | null = null;
  /** @internal bytes known unsent at the last check, and sent since */
  private known = 0;
  private sinceCheck = 0;
  private drainAsked = false;

  /** @internal */
  constructor(
    /** @internal */ readonly hub: WsHub,
    /** @internal */ readonly out: WsResponder,
    /** @internal */ readonly conn: number,
    data: D,
    /** The route's path params. */
    readonly params: PathParams<P>,
    /** The peer's address (as the transport saw it). */
    readonly remoteAddress: string,
    /** The negotiated subprotocol ('' for none). */
    readonly protocol: string,
    /** @internal permessage-deflate when negotiated */
    readonly deflate: Deflate | null,
  ) {
    this.data = data;
  }

  /** True until `close()`/`terminate()` was called or the connection closed. */
  get isOpen(): boolean {
    return this.state === OPEN;
  }

  /** Bytes queued for this socket that the kernel has not taken yet (0 once closed). */
  get bufferedAmount(): number {
    if (this.state === CLOSED) return 0;
    const n = this.out.wsBuffered(this.conn);
    return n < 0 ? 0 : n;
  }

  /**
   * Send a message: a string as text, bytes as binary (`isBinary` overrides; text bytes must be
   * valid UTF-8). `compress` (permessage-deflate, when negotiated) defaults to messages over the
   * route's threshold. Returns `WsSendStatus`: Success, Backpressure (wait for `drain`) or Dropped.
   */
  send(data: WsData, isBinary?: boolean, compress?: boolean): WsSendStatus {
    if (this.state !== OPEN) return WsSendStatus.Dropped;
    let payload = toPayload(data);
    const binary = isBinary ?? typeof payload !== 'string';
    if (!binary && typeof payload !== 'string' && !validUtf8(payload)) {
      throw new TypeError('ws.send: a text message must be valid UTF-8 (pass isBinary = true for bytes)');
    }
    let rsv1 = false;
    const z = this.deflate;
    if (z !== null && z.wants(payload, compress)) {
      payload = z.compress(payload);
      rsv1 = true;
    }
    return this.account(this.out.wsSend(this.conn, binary ? 2 : 1, payload, rsv1, false));
  }

  /** Send a ping (up to 125 bytes). */
  ping(data: WsData = ''): WsSendStatus {
    if (this.state !== OPEN) return WsSendStatus.Dropped;
    const payload = toPayload(data);
    const len = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    if (len > 125) throw new RangeError('ws.ping: a ping carries at most 125 bytes');
    return this.account(this.out.wsSend(this.conn, 9, payload, false, false));
  }

  /**
   * Start the closing handshake: our close frame (1000 by default; 1000–1003, 1007–1014 or 3000–4999,
   * a reason of at most 123 UTF-8 bytes), then the connection closes when the peer answers (or after a
   * deadline). `close` fires with the peer's code.
   */
  close(code = 1000, reason = ''): void {
    if (!validCloseCode(code)) throw new RangeError(`ws.close: ${String(code)} is not a close code that may be sent`);
    if (typeof reason !== 'string' || Buffer.byteLength(reason) > 123) {
      throw new RangeError('ws.close: the reason must be a string of at most 123 UTF-8 bytes');
    }
    if (this.state !== OPEN) return;
    this.state = CLOSING;
    this.hub.leaveAll(this);
    this.out.wsClose(this.conn, code, reason);
  }

  /** Close the TCP connection now, without a closing handshake (`close` fires with 1006). */
  terminate(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSING;
    this.hub.leaveAll(this);
    this.out.wsTerminate(this.conn);
  }

  /** Receive what is published to `topic` (from `app.publish` or another socket's `publish`). */
  subscribe(topic: string): void {
    if (this.state !== OPEN) return;
    this.hub.subscribe(this, checkTopic(topic));
  }

  unsubscribe(topic: string): void {
    this.hub.unsubscribe(this, checkTopic(topic));
  }

  isSubscribed(topic: string): boolean {
    return this.topicSet?.has(topic) ?? false;
  }

  /** The topics this socket is subscribed to. */
  get topics(): string[] {
    return this.topicSet === null ? [] : [...this.topicSet];
  }

  /** Publish to every subscriber of `topic` except this socket. Returns the number of recipients. */
  publish(topic: string, data: WsData, isBinary?: boolean, compress?: boolean): number {
    return this.hub.publish(checkTopic(topic), data, isBinary, compress, this);
  }

  /** @internal frame bytes were queued: backpressure bookkeeping without a native call per send */
  account(len: number): WsSendStatus {
    if (len === 0) return WsSendStatus.Dropped;
    this.sinceCheck += len;
    const hwm = this.hub.highWaterMark;
    // unsent bytes can only have shrunk since the last check: known + sent since is an upper bound
    if (this.known + this.sinceCheck <= hwm) return WsSendStatus.Success;
    const now = this.out.wsBuffered(this.conn);
    this.sinceCheck = 0;
    if (now < 0) return WsSendStatus.Dropped;
    this.known = now;
    if (now <= hwm) return WsSendStatus.Success;
    if (!this.drainAsked) {
      this.drainAsked = true;
      this.out.wsWantDrain(this.conn);
    }
    return WsSendStatus.Backpressure;
  }

  /** @internal the transport's drain notice: true when the user should hear `drain` */
  drained(): boolean {
    if (!this.drainAsked) return false;
    this.drainAsked = false;
    const now = this.out.wsBuffered(this.conn);
    this.known = now < 0 ? 0 : now;
    this.sinceCheck = 0;
    return this.state === OPEN;
  }

  /** @internal the connection is gone */
  markClosed(): void {
    this.state = CLOSED;
  }
}

function checkTopic(topic: string): string {
  if (typeof topic !== 'string') throw new TypeError('A topic must be a string');
  return topic;
}
