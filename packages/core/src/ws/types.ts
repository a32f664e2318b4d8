import type { PathParams } from '@jato/router';
import type { Request } from '../request/request.js';
import type { Response } from '../response/response.js';
import type { WebSocket } from './socket.js';

/**
 * The handlers of a WebSocket route (`app.ws(path, handlers, options)`). `P` is the path's params,
 * `D` the per-socket data `upgrade` returns, `Ext` the app's request extensions.
 */
export interface WsHandlers<P extends string = string, D = undefined, Ext = unknown> {
  /**
   * The opening handshake, already checked (key, version 13): return the socket's `data` to accept,
   * or a `Response` to refuse (any status). May be async. `req.header('origin')` is there for origin
   * checks. Without it every valid handshake is accepted with `data` undefined.
   */
  upgrade?(req: Request<PathParams<P>> & Ext): D | Response | Promise<D | Response>;
  /** The connection is open (the 101 is queued; sends made here follow it). */
  open?(ws: WebSocket<D, P>): void;
  /** A whole message: a string for text, a Buffer (a copy, yours to keep) for binary. */
  message?(ws: WebSocket<D, P>, data: string | Buffer, isBinary: boolean): void;
  /** Output that was over the high-water mark (a `send` returned `WsSendStatus.Backpressure`) has drained. */
  drain?(ws: WebSocket<D, P>): void;
  /**
   * The connection closed: the peer's close code (1005 when it sent none), the code we closed with
   * after a protocol error (1002, 1007, 1009) or on a timeout (1001), or 1006 when the TCP connection
   * ended without a close handshake. Called once per socket.
   */
  close?(ws: WebSocket<D, P>, code: number, reason: string): void;
}

/** Options of a WebSocket route (defaults in parentheses). */
export interface WsOptions {
  /** Largest message in bytes (16 MiB): a bigger one closes the connection with 1009. */
  maxPayloadLength?: number;
  /** Seconds without input before the connection is closed with 1001 (120); 0 disables. */
  idleTimeout?: number;
  /** With `idleTimeout`: ping once when it passes and close only if the next period is silent too (true). */
  sendPings?: boolean;
  /** Unsent bytes over which a connection is closed: a peer that stopped reading (16 MiB). */
  maxBackpressure?: number;
  /**
   * Subprotocols this route speaks, in preference order; the first one the client offers is chosen
   * (`ws.protocol`). A client that offers only others is still accepted with no subprotocol, as RFC
   * 6455 allows; refuse it in `upgrade` if you must.
   */
  protocols?: readonly string[];
  /**
   * permessage-deflate (RFC 7692), off by default. `true` or options: messages over `threshold` bytes
   * (1024) are compressed. jato always answers with `server_no_context_takeover`; the client's context
   * is kept unless it offered `client_no_context_takeover`.
   */
  perMessageDeflate?: boolean | { threshold?: number };
}

/** What `send`/`publish` report. */
export const WsSendStatus = {
  /** Under the high-water mark (queued for this turn's write). */
  Success: 1,
  /** Queued, but unsent output is over the high-water mark: wait for `drain`. */
  Backpressure: 0,
  /** Not sent: the socket is closing or closed. */
  Dropped: 2,
} as const;
export type WsSendStatus = (typeof WsSendStatus)[keyof typeof WsSendStatus];
