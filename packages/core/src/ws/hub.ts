import { WS_COMPRESSED, WsEventKind, type ServerHandlers, type WsEventBatch, type WsResponder, type WsTransportHandlers } from '@jato/native-loop';
import { validUtf8 } from '@jato/parser';
import { CLOSED, OPEN, WebSocket, toPayload, type WsData } from './socket.js';
import { WsSendStatus } from './types.js';

const EMPTY = Buffer.alloc(0);

/**
 * The open WebSockets of one transport and their topics: turns the transport's per-turn events
 * into the route handlers' calls, and publishes a message to a topic's subscribers with the frame
 * built once. Every call into user code is wrapped: a throw is logged and that socket is closed
 * with 1011; nothing is rethrown into the transport. @internal
 */
export class WsHub implements WsTransportHandlers {
  readonly sockets = new Map<number, WebSocket>();
  private readonly topics = new Map<string, Set<WebSocket>>();
  private out: WsResponder | null = null;
  private readonly plain: number[] = [];
  private readonly packed: number[] = [];
  private readonly packedSockets: WebSocket[] = [];
  private readonly plainSockets: WebSocket[] = [];

  constructor(readonly highWaterMark: number) {
    this.onEvents = this.onEvents.bind(this);
    this.onDrain = this.onDrain.bind(this);
  }

  /** Serve the hub's events through `handlers` (and hear of closed connections). */
  wire(handlers: ServerHandlers): void {
    handlers.ws = this;
    const closed = handlers.onConnectionClose;
    handlers.onConnectionClose = (conn) => {
      closed?.(conn);
      const ws = this.sockets.get(conn);
      if (ws !== undefined) this.finish(ws, 1006, '');
    };
  }

  open(ws: WebSocket): void {
    this.out = ws.out;
    this.sockets.set(ws.conn, ws);
    const open = ws.route.handlers.open;
    if (open !== undefined) this.call(ws, () => open(ws));
  }

  onEvents(batch: WsEventBatch): void {
    for (let i = 0; i < batch.count; i++) {
      const ws = this.sockets.get(batch.conn(i));
      if (ws === undefined) continue;
      const kind = batch.kind(i);
      if (kind === WsEventKind.Close) {
        const r = batch.data(i);
        this.finish(ws, batch.code(i), r.length === 0 ? '' : Buffer.from(r.buffer, r.byteOffset, r.length).toString('utf8'));
        continue;
      }
      if (ws.state !== OPEN) continue;
      if (kind === WsEventKind.Text) {
        // the common case: one string straight from batch memory
        const handler = ws.route.handlers.message;
        if (handler !== undefined) {
          try {
            handler(ws, batch.text(i), false);
          } catch (error) {
            this.failed(ws, error);
          }
        }
        continue;
      }
      this.message(ws, kind, batch.data(i));
    }
  }

  onDrain(conn: number): void {
    const ws = this.sockets.get(conn);
    if (ws === undefined || !ws.drained()) return;
    const drain = ws.route.handlers.drain;
    if (drain !== undefined) this.call(ws, () => drain(ws));
  }

  private message(ws: WebSocket, kind: number, view: Uint8Array): void {
    const handler = ws.route.handlers.message;
    let bytes: Uint8Array = view;
    if ((kind & WS_COMPRESSED) !== 0) {
      const z = ws.deflate;
      const r = z === null ? 'invalid' : z.decompress(view, ws.route.maxPayload);
      if (r === 'too-big' || r === 'invalid') {
        ws.close(r === 'too-big' ? 1009 : 1007);
        return;
      }
      bytes = r;
      if ((kind & 0xff) === WsEventKind.Text && !validUtf8(bytes)) {
        ws.close(1007);
        return;
      }
    }
    if (handler === undefined) return;
    if ((kind & 0xff) === WsEventKind.Text) {
      const text = bytes.length === 0 ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
      this.call(ws, () => handler(ws, text, false));
    } else {
      const copy = bytes === view ? (bytes.length === 0 ? EMPTY : Buffer.from(bytes)) : (bytes as Buffer);
      this.call(ws, () => handler(ws, copy, true));
    }
  }

  /** The connection is closed (handshake done, protocol error, or gone): `close` once. */
  private finish(ws: WebSocket, code: number, reason: string): void {
    if (this.sockets.get(ws.conn) !== ws) return;
    this.sockets.delete(ws.conn);
    this.leaveAll(ws);
    ws.markClosed();
    const close = ws.route.handlers.close;
    if (close === undefined) return;
    try {
      close(ws, code, reason);
    } catch (error) {
      this.log(ws, error, 'close');
    }
  }

  /** Runs a user handler: a throw is logged and closes that socket with 1011. */
  private call(ws: WebSocket, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.failed(ws, error);
    }
  }

  /** A user handler threw: logged, and that socket is closed with 1011. */
  private failed(ws: WebSocket, error: unknown): void {
    this.log(ws, error, 'handler');
    try {
      if (ws.state === OPEN) ws.close(1011);
    } catch {
      /* the transport is gone */
    }
  }

  private log(ws: WebSocket, error: unknown, where: string): void {
    try {
      ws.route.logger.error({ err: error, conn: ws.conn }, `jato: a WebSocket ${where} threw`);
    } catch {
      /* a broken logger must not break the transport */
    }
  }

  subscribe(ws: WebSocket, topic: string): void {
    let set = this.topics.get(topic);
    if (set === undefined) this.topics.set(topic, (set = new Set()));
    set.add(ws);
    (ws.topicSet ??= new Set()).add(topic);
  }

  unsubscribe(ws: WebSocket, topic: string): void {
    ws.topicSet?.delete(topic);
    const set = this.topics.get(topic);
    if (set === undefined) return;
    set.delete(ws);
    if (set.size === 0) this.topics.delete(topic);
  }

  leaveAll(ws: WebSocket): void {
    const topics = ws.topicSet;
    if (topics === null) return;
    ws.topicSet = null;
    for (const topic of topics) {
      const set = this.topics.get(topic);
      if (set === undefined) continue;
      set.delete(ws);
      if (set.size === 0) this.topics.delete(topic);
    }
  }

  /** Subscribers of `topic`. */
  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }

  /**
   * To every open subscriber of `topic` but `except`: the frame is built once (and compressed once
   * for the subscribers that negotiated permessage-deflate) and written to each. Returns the count.
   */
  publish(topic: string, data: WsData, isBinary: boolean | undefined, compress: boolean | undefined, except?: WebSocket): number {
    const set = this.topics.get(topic);
    const out = this.out;
    if (set === undefined || out === null) return 0;
    const payload = toPayload(data);
    const binary = isBinary ?? typeof payload !== 'string';
    if (!binary && typeof payload !== 'string' && !validUtf8(payload)) {
      throw new TypeError('publish: a text message must be valid UTF-8 (pass isBinary = true for bytes)');
    }
    const plain = this.plain;
    const plainSockets = this.plainSockets;
    const packed = this.packed;
    const packedSockets = this.packedSockets;
    let np = 0;
    let nz = 0;
    let zipper: WebSocket | null = null;
    for (const ws of set) {
      if (ws === except || ws.state !== OPEN) continue;
      if (ws.deflate !== null && ws.deflate.wants(payload, compress)) {
        zipper ??= ws;
        packed[nz] = ws.conn;
        packedSockets[nz++] = ws;
      } else {
        plain[np] = ws.conn;
        plainSockets[np++] = ws;
      }
    }
    const op = binary ? 2 : 1;
    if (np > 0) {
      const len = out.wsPublish(plain, np, op, payload, false);
      for (let i = 0; i < np; i++) plainSockets[i]!.account(len);
    }
    if (nz > 0) {
      const len = out.wsPublish(packed, nz, op, zipper!.deflate!.compress(payload), true);
      for (let i = 0; i < nz; i++) packedSockets[i]!.account(len);
    }
    plainSockets.length = 0;
    packedSockets.length = 0;
    return np + nz;
  }

  /** The transport closed: sockets still open hear 1006. */
  closeAll(): void {
    for (const ws of [...this.sockets.values()]) if (ws.state !== CLOSED) this.finish(ws, 1006, '');
  }
}

export { WsSendStatus };
