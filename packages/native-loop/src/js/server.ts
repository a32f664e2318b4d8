import net from 'node:net';
import type { HttpServer, Responder, ServerHandlers, ServerOptions, ServerStats } from '../types.js';
import { Connection } from './connection.js';
import { ConnectionSet } from './connection-set.js';
import { dateHeader, retainDateCache } from './date-cache.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { createConnectionParser } from './parser-factory.js';
import { SocketSink } from './socket-sink.js';

/** Default deadline of `close()` for in-flight requests, in milliseconds. */
const DEFAULT_CLOSE_DEADLINE_MS = 10_000;

/**
 * Creates the pure-JS transport: a node:net server with a TS StreamParser per connection and the
 * same batch, ordering, keep-alive, error, backpressure and timeout behaviour as the native one.
 *
 * `reusePort` is ignored: node:net on Node 20 cannot set SO_REUSEPORT. Several worker processes
 * still share one port through node:cluster, whose primary owns the listening handle.
 *
 * @example
 * const server = createJsServer({ port: 8080 }, {
 *   onBatch(batch, out) {
 *     for (let i = 0; i < batch.count; i++) {
 *       out.respond(batch.conn(i), batch.seq(i), 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n', 'hi', false);
 *     }
 *   },
 * });
 * await server.listen();
 */
export function createJsServer(options: ServerOptions, handlers: ServerHandlers): HttpServer {
  return new JsServer(resolveOptions(options), handlers);
}

interface Peer {
  socket: net.Socket;
  address: string;
  port: number;
}

class JsServer implements HttpServer {
  readonly transport = 'js' as const;
  readonly responder: Responder;
  private readonly set: ConnectionSet;
  private readonly server: net.Server;
  private readonly peers = new Map<number, Peer>();
  private nextId = 1;
  private closedBytesWritten = 0;
  private releaseDate: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private onAllClosed: (() => void) | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    handlers: ServerHandlers,
  ) {
    this.set = new ConnectionSet(options, handlers, dateHeader, (conn) => {
      const peer = this.peers.get(conn.id);
      if (peer !== undefined) {
        this.closedBytesWritten += peer.socket.bytesWritten;
        this.peers.delete(conn.id);
      }
      if (this.set.conns.size === 0) this.onAllClosed?.();
    });
    this.responder = this.set;
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
  }

  listen(): Promise<{ address: string; port: number; family: 'IPv4' | 'IPv6' }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', onError);
        this.releaseDate ??= retainDateCache();
        const addr = this.server.address() as net.AddressInfo;
        resolve({ address: addr.address, port: addr.port, family: addr.family === 'IPv6' ? 'IPv6' : 'IPv4' });
      });
    });
  }

  close(deadlineMs = DEFAULT_CLOSE_DEADLINE_MS): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        for (const conn of this.set.conns.values()) conn.destroy();
      }, deadlineMs);
      deadline.unref();
      let listenerClosed = false;
      const done = (): void => {
        if (!listenerClosed || this.set.conns.size > 0) return;
        this.onAllClosed = undefined;
        clearTimeout(deadline);
        this.releaseDate?.();
        this.releaseDate = undefined;
        resolve();
      };
      this.onAllClosed = done;
      const listenerDone = (): void => {
        listenerClosed = true;
        done();
      };
      if (this.server.listening) this.server.close(listenerDone);
      else listenerDone();
      for (const conn of [...this.set.conns.values()]) conn.drain();
    });
    return this.closing;
  }

  stats(): ServerStats {
    let inFlight = 0;
    for (const conn of this.set.conns.values()) inFlight += conn.inFlight;
    let bytesWritten = this.closedBytesWritten;
    for (const peer of this.peers.values()) bytesWritten += peer.socket.bytesWritten;
    return {
      connections: this.set.conns.size,
      accepted: this.set.accepted,
      inFlight,
      requests: this.set.requests,
      bytesRead: this.set.bytesRead,
      bytesWritten,
    };
  }

  dateHeader(): string {
    return dateHeader();
  }

  remote(conn: number): { address: string; port: number } | undefined {
    const peer = this.peers.get(conn);
    return peer === undefined ? undefined : { address: peer.address, port: peer.port };
  }

  private allocateId(): number {
    let id = this.nextId;
    while (this.set.conns.has(id)) id = id >= 0x7fffffff ? 1 : id + 1;
    this.nextId = id >= 0x7fffffff ? 1 : id + 1;
    return id;
  }

  private accept(socket: net.Socket): void {
    const id = this.allocateId();
    this.peers.set(id, { socket, address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 });
    const conn = new Connection(id, this.set, new SocketSink(socket), createConnectionParser(this.options), true);
    this.set.add(conn);
    socket.on('data', (chunk: Buffer) => conn.onData(chunk));
    socket.on('end', () => conn.onEnd());
    socket.on('drain', () => conn.onDrain());
    socket.on('error', () => {
      // ECONNRESET and the like: 'close' follows and cleans up.
    });
    socket.on('close', () => conn.onClose());
    if (this.closing !== undefined) conn.drain();
  }
}
