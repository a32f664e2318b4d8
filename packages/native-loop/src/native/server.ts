import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HttpServer, Responder, ServerHandlers, ServerOptions, ServerStats } from '../types.js';
import { renderErrorResponse } from '../js/error-response.js';
import { resolveOptions, type ResolvedOptions } from '../js/options.js';
import { type NativeAddon, type NativeServerHandle, loadAddon } from './addon.js';
import { type FastBuffer, fastBuffer } from './buffer-internals.js';
import { DRAIN_BIT, FILE_DONE_BIT, FILE_FAIL_BIT } from './layout.js';
import { OutputWriter } from './output-writer.js';
import { NativeRequestBatch } from './request-batch.js';
import { NativeBodyChunks } from './body-chunks.js';
import { NativeWsEventBatch } from './ws-event-batch.js';

/** Default deadline of `close()` for in-flight requests, in milliseconds. */
const DEFAULT_CLOSE_DEADLINE_MS = 10_000;
/** After our FIN, unread client input is discarded this long before the socket is closed. */
const LINGER_MS = 2_000;

/** True when the native addon loads on this machine. */
export function nativeAvailable(): boolean {
  return !(loadAddon() instanceof Error);
}

/**
 * Creates the native transport: sockets on Node's own libuv loop, requests framed in C++ and handed
 * to `handlers.onBatch` once per loop turn through shared memory, responses written with one write
 * per connection. Throws when the addon cannot be loaded (see `createServer` for the fallback).
 *
 * @example
 * const server = createNativeServer({ port: 8080 }, {
 *   onBatch(batch, out) {
 *     for (let i = 0; i < batch.count; i++) {
 *       out.respond(batch.conn(i), batch.seq(i), 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n', 'hi', false);
 *     }
 *   },
 * });
 * await server.listen();
 */
export function createNativeServer(options: ServerOptions, handlers: ServerHandlers): HttpServer {
  const addon = loadAddon();
  if (addon instanceof Error) throw addon;
  return new NativeHttpServer(addon, resolveOptions(options), options.reusePort === true, handlers);
}

const ZERO_STATS: ServerStats = { connections: 0, accepted: 0, inFlight: 0, requests: 0, bytesRead: 0, bytesWritten: 0 };

class NativeHttpServer implements HttpServer {
  readonly transport = 'native' as const;
  readonly responder: Responder;
  private readonly out = new OutputWriter();
  private native: NativeServerHandle | undefined;
  private batch: NativeRequestBatch | undefined;
  private chunks: NativeBodyChunks | undefined;
  private readonly streamsBodies: boolean;
  private wsBatch: NativeWsEventBatch | undefined;
  private closedIds: Uint32Array | undefined;
  private dateMem: FastBuffer | undefined;
  private dateVersion: Uint32Array | undefined;
  private dateSeen = -1;
  private dateValue = '';
  private closing: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;
  private listening: Promise<{ address: string; port: number; family: 'IPv4' | 'IPv6' }> | undefined;

  constructor(
    private readonly addon: NativeAddon,
    private readonly options: ResolvedOptions,
    private readonly reusePort: boolean,
    private readonly handlers: ServerHandlers,
  ) {
    this.responder = this.out;
    this.streamsBodies = options.maxStreamBodyBytes > 0;
  }

  listen(): Promise<{ address: string; port: number; family: 'IPv4' | 'IPv6' }> {
    this.listening ??= this.start();
    return this.listening;
  }

  private async start(): Promise<{ address: string; port: number; family: 'IPv4' | 'IPv6' }> {
    let host = this.options.host;
    if (host === 'localhost') host = '127.0.0.1';
    else if (isIP(host) === 0) host = (await lookup(host)).address;
    if (this.closing) throw new Error('@jato/native-loop: server closed before listen()');
    const o = this.options;
    const native = new this.addon.NativeServer(
      {
        host,
        port: o.port,
        reusePort: this.reusePort,
        serverName: o.serverName,
        maxHeadBytes: o.maxHeadBytes,
        maxHeaders: o.maxHeaders,
        maxBodyBytes: o.maxBodyBytes,
        maxInFlight: o.maxInFlight,
        highWaterMark: (this.out.highWaterMark = o.highWaterMark),
        headersTimeout: o.headersTimeout,
        bodyGrace: o.bodyGrace,
        bodyMinRate: o.bodyMinRate,
        keepAliveTimeout: o.keepAliveTimeout,
        writeTimeout: o.writeTimeout,
        lingerTimeout: Math.min(LINGER_MS, o.keepAliveTimeout),
        maxStreamBodyBytes: o.maxStreamBodyBytes,
        bodyWindow: o.bodyWindow,
        maxDiscardBytes: o.maxDiscardBytes,
      },
      this.dispatch,
      this.onClosed,
    );
    const buffers = native.inputBuffers();
    this.batch = new NativeRequestBatch(buffers);
    this.chunks = new NativeBodyChunks(buffers);
    this.out.bodyRead = (conn, seq, bytes, borrowed) => native.bodyRead(conn, seq, bytes, borrowed === true);
    this.wsBatch = new NativeWsEventBatch(buffers);
    this.closedIds = new Uint32Array(buffers.closed);
    this.dateMem = fastBuffer(buffers.date);
    this.dateVersion = new Uint32Array(buffers.date, 0, 1);
    this.out.attach(native);
    const address = native.listen();
    this.native = native;
    return address;
  }

  /** Called by the loop once per batch: returns the number of response rows written meanwhile. */
  private readonly dispatch = (count: number, closed: number, resized: boolean, wsCount: number): number => {
    const out = this.out;
    const batch = this.batch!;
    if (resized) this.rebind();
    out.inBatch = true;
    try {
      if (count > 0) {
        batch.count = count;
        try {
          this.handlers.onBatch(batch, out);
        } catch (error) {
          // Never rethrown into the event loop: reported, and every request of the batch that got
          // no response is answered 500 with Connection: close (as the JS transport does).
          this.batchFailed(error, count);
        }
        batch.count = 0;
      }
      // streamed request bodies (when on): the chunk count is in shared memory, not an argument
      if (this.streamsBodies && this.chunks!.pending() > 0) this.bodyChunks(this.chunks!.pending());
      if (wsCount > 0) this.wsEvents(wsCount);
      if (closed > 0) this.closedOrDrained(closed);
    } finally {
      out.inBatch = false;
    }
    return out.finish();
  };

  /** The loop grew its input memory: the views follow. */
  private rebind(): void {
    const buffers = this.native!.inputBuffers();
    this.batch!.rebind(buffers);
    this.chunks!.rebind(buffers);
    this.wsBatch!.rebind(buffers);
  }

  /** Streamed request-body chunks of this turn (after its `onBatch`); a throw is reported, never rethrown. */
  private bodyChunks(count: number): void {
    const chunks = this.chunks!;
    chunks.count = count;
    try {
      this.handlers.onBodyChunks?.(chunks);
    } catch (error) {
      process.emitWarning(`jato: onBodyChunks threw: ${error instanceof Error ? String(error.stack) : String(error)}`);
    }
    chunks.count = 0;
    chunks.done();
  }

  /** WebSocket messages and closes of this turn. Never throws. */
  private wsEvents(count: number): void {
    const batch = this.wsBatch!;
    batch.count = count;
    try {
      this.handlers.ws?.onEvents(batch);
    } catch (error) {
      process.emitWarning(`jato: ws.onEvents threw: ${error instanceof Error ? String(error.stack) : String(error)}`);
    }
    batch.count = 0;
  }

  /** The closed list: closed connections (onConnectionClose) and drain notices (DRAIN_BIT). */
  private closedOrDrained(closed: number): void {
    const ids = this.closedIds!;
    const onClose = this.handlers.onConnectionClose;
    for (let i = 0; i < closed; i++) {
      const id = ids[i]!;
      if (id >= DRAIN_BIT) {
        this.out.drained(id - DRAIN_BIT);
        this.handlers.ws?.onDrain(id - DRAIN_BIT);
        continue;
      }
      if (id >= FILE_FAIL_BIT) {
        this.out.fileDone(id & (FILE_FAIL_BIT - 1), (id & FILE_FAIL_BIT) === 0);
        continue;
      }
      this.out.connectionClosed(id);
      if (onClose === undefined) continue;
      try {
        this.handlers.onConnectionClose!(id);
      } catch (error) {
        process.emitWarning(`jato: onConnectionClose threw: ${String(error)}`);
      }
    }
  }

  /** `onBatch` threw: report it and answer what it left unanswered. Never throws. */
  private batchFailed(error: unknown, count: number): void {
    try {
      process.emitWarning(`jato: onBatch threw: ${error instanceof Error ? String(error.stack) : String(error)}`);
    } catch {
      /* an unprintable error is still answered below */
    }
    try {
      const batch = this.batch!;
      const failure = renderErrorResponse(500, this.dateHeader(), this.options.serverName);
      for (let i = 0; i < count; i++) {
        const conn = batch.conn(i);
        const seq = batch.seq(i);
        if (!this.out.hasRow(conn, seq)) this.out.respond(conn, seq, failure, null, true);
      }
    } catch {
      /* the transport itself is broken: nothing more can be sent */
    }
  }

  private readonly onClosed = (): void => {
    this.resolveClosed?.();
  };

  close(deadlineMs = DEFAULT_CLOSE_DEADLINE_MS): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const native = this.native;
      if (!native) {
        // not listening (yet): once listen() settles there is nothing to close
        const pending = this.listening;
        if (!pending) return resolve();
        pending.then(
          () => {
            this.resolveClosed = resolve;
            this.native!.close(deadlineMs);
          },
          () => resolve(),
        );
        return;
      }
      this.resolveClosed = resolve;
      native.close(deadlineMs);
    });
    return this.closing;
  }

  stats(): ServerStats {
    return this.native ? this.native.stats() : { ...ZERO_STATS };
  }

  dateHeader(): string {
    const v = this.dateVersion;
    if (v === undefined) return new Date().toUTCString();
    if (v[0] !== this.dateSeen) {
      this.dateSeen = v[0]!;
      this.dateValue = this.dateMem!.latin1Slice(8, 37);
    }
    return this.dateValue;
  }

  remote(conn: number): { address: string; port: number } | undefined {
    return this.native?.remote(conn);
  }
}
