import type { ParsedRequest } from '@jato/parser';
import type { Responder, ServerHandlers, WsAcceptOptions, WsEventBatch, WsSendOpcode } from '../types.js';
import { CLOSED_STREAM, type ResponseStream, type ResponseStreamEvents } from '../stream-output.js';
import type { BodyChunks } from '../stream-input.js';
import { ParsedRequestBatch } from './batch.js';
import type { InputStream } from './body-stream.js';
import type { Connection } from './connection.js';
import type { ResolvedOptions } from './options.js';

/**
 * The live connections of one server (or of one `inject` call) and the Responder they share:
 * runs `onBatch`, routes `respond(conn, seq, …)` to its connection, and flushes every connection
 * that got output once per batch (after `onBatch` returns) or once per tick (async completions).
 */
export class ConnectionSet implements Responder {
  readonly conns = new Map<number, Connection>();
  requests = 0;
  bytesRead = 0;
  /** Connections added since the set was made (accepted sockets, for a server). */
  accepted = 0;
  private dirty: Connection[] = [];
  /** Connections whose backlog may now be handed out (after their output was flushed). */
  private pumps: Connection[] = [];
  private inBatch = false;
  private flushQueued = false;
  private flushing = false;
  /** The user serves WebSockets: upgrade requests wait for its answer. */
  readonly wsEnabled: boolean;

  constructor(
    readonly options: ResolvedOptions,
    private readonly handlers: ServerHandlers,
    /** The current `Date` header value. */
    readonly date: () => string,
    /** Called after a connection left the set (with its id). */
    private readonly onRemoved?: (conn: Connection) => void,
  ) {
    this.wsEnabled = handlers.ws !== undefined;
  }

  add(conn: Connection): void {
    this.conns.set(conn.id, conn);
    this.accepted++;
  }

  remove(conn: Connection): void {
    if (this.conns.get(conn.id) !== conn) return;
    this.conns.delete(conn.id);
    this.onRemoved?.(conn);
    try {
      this.handlers.onConnectionClose?.(conn.id);
    } catch (error) {
      process.emitWarning(`jato: onConnectionClose threw: ${String(error)}`);
    }
  }

  /**
   * The peer half-closed with requests pending: its user hears `onConnectionClose` now (so pending
   * work can abort) although the connection stays until their answers are written or it times out.
   * The notice comes again when the connection is removed.
   */
  peerEnded(conn: Connection): void {
    if (this.conns.get(conn.id) !== conn) return;
    try {
      this.handlers.onConnectionClose?.(conn.id);
    } catch (error) {
      process.emitWarning(`jato: onConnectionClose threw: ${String(error)}`);
    }
  }

  /** Unsent bytes per connection at or above which a stream's `write` returns false. */
  get highWaterMark(): number {
    return this.options.highWaterMark;
  }

  respond(conn: number, seq: number, head: string, body: string | Uint8Array | null, close: boolean): void {
    this.conns.get(conn)?.complete(seq, head, body, close);
  }

  stream(conn: number, seq: number, head: string, close: boolean, events: ResponseStreamEvents): ResponseStream {
    return this.conns.get(conn)?.stream(seq, head, close, events) ?? CLOSED_STREAM;
  }

  bodyRead(conn: number, seq: number, bytes: number): void {
    this.conns.get(conn)?.bodyRead(seq, bytes);
  }

  /** Hands streamed body chunks to `onBodyChunks` (a throw there is reported, never rethrown). */
  onBodyChunks(chunks: BodyChunks): void {
    const nested = this.inBatch;
    this.inBatch = true;
    try {
      this.handlers.onBodyChunks?.(chunks);
    } catch (error) {
      process.emitWarning(`jato: onBodyChunks threw: ${error instanceof Error ? error.stack : String(error)}`);
    } finally {
      this.inBatch = nested;
    }
    if (!nested) this.flushAll();
  }

  // ---- WebSocket (ws-session.ts): events in batch mode, output routed to the connection's session

  /** Hands one connection's WebSocket events to `ws.onEvents` (a throw there is reported). */
  wsEvents(batch: WsEventBatch): void {
    this.inBatchCall(() => this.handlers.ws?.onEvents(batch), 'ws.onEvents');
  }

  wsDrained(conn: number): void {
    this.inBatchCall(() => this.handlers.ws?.onDrain(conn), 'ws.onDrain');
  }

  private inBatchCall(fn: () => void, name: string): void {
    const nested = this.inBatch;
    this.inBatch = true;
    try {
      fn();
    } catch (error) {
      process.emitWarning(`jato: ${name} threw: ${error instanceof Error ? error.stack : String(error)}`);
    } finally {
      this.inBatch = nested;
    }
    if (!nested) this.flushAll();
  }

  wsAccept(conn: number, seq: number, head: string, options: WsAcceptOptions): void {
    this.conns.get(conn)?.wsAccept(seq, head, options);
  }

  wsSend(conn: number, opcode: WsSendOpcode, payload: string | Uint8Array, rsv1: boolean, wantDrain: boolean): number {
    return this.conns.get(conn)?.ws?.send(opcode, payload, rsv1, wantDrain) ?? 0;
  }

  wsPublish(conns: ArrayLike<number>, count: number, opcode: WsSendOpcode, payload: string | Uint8Array, rsv1: boolean): number {
    let frame: Buffer | undefined;
    for (let i = 0; i < count; i++) {
      const ws = this.conns.get(conns[i]!)?.ws;
      if (ws === undefined) continue;
      frame ??= ws.frame(opcode, typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload, rsv1);
      ws.sendFrame(frame);
    }
    return frame?.length ?? 0;
  }

  wsWantDrain(conn: number): void {
    this.conns.get(conn)?.ws?.wantDrain();
  }

  wsClose(conn: number, code: number, reason: string): void {
    this.conns.get(conn)?.ws?.close(code, reason);
  }

  wsTerminate(conn: number): void {
    this.conns.get(conn)?.destroy();
  }

  wsBuffered(conn: number): number {
    const c = this.conns.get(conn);
    return c?.ws !== undefined && c.isOpen ? c.wsPending() : -1;
  }

  /** Runs `onBatch` over requests `first…` of `conn`, then flushes what it answered. */
  dispatch(conn: Connection, requests: ParsedRequest[], first: number, streamed?: readonly InputStream[]): void {
    const nested = this.inBatch;
    this.inBatch = true;
    try {
      this.handlers.onBatch(new ParsedRequestBatch(requests, conn.id, first, streamed), this);
    } catch (error) {
      process.emitWarning(`jato: onBatch threw: ${error instanceof Error ? error.stack : String(error)}`);
      conn.batchFailed(first, requests.length);
    } finally {
      this.inBatch = nested;
    }
    if (!nested) this.flushAll();
  }

  /** `conn` has requests waiting that it may be able to hand out now. */
  wantsPump(conn: Connection): void {
    this.pumps.push(conn);
    if (!this.flushing && !this.inBatch && !this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushAll);
    }
  }

  /** `conn` has new output: flushed after the current batch, or on the next tick. */
  markDirty(conn: Connection): void {
    this.dirty.push(conn);
    if (!this.inBatch && !this.flushing && !this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushAll);
    }
  }

  private readonly flushAll = (): void => {
    this.flushQueued = false;
    if (this.flushing) return; // the running loop below picks up what was added
    this.flushing = true;
    try {
      while (this.dirty.length > 0 || this.pumps.length > 0) {
        if (this.dirty.length > 0) {
          const list = this.dirty;
          this.dirty = [];
          for (const conn of list) conn.flush();
        } else {
          const list = this.pumps;
          this.pumps = [];
          for (const conn of list) conn.pump();
        }
      }
    } finally {
      this.flushing = false;
    }
  };
}
