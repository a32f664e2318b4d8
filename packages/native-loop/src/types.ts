/**
 * The contract between `@jato/native-loop` (native or pure-JS transport) and its users
 * (`@jato/core`). Both transports produce the same `RequestBatch` shape and accept responses through
 * the same `Responder`, so the framework has one dispatch path.
 *
 * Batch memory is shared once at start-up and reused: everything a batch exposes is valid only
 * during the `onBatch` call. A handler that needs data later (async) must copy it out first.
 */

import type { MethodId } from '@jato/parser';
import type { ResponseStream, StreamingResponder } from './stream-output.js';

export type { ResponseStream, ResponseStreamEvents, StreamingResponder } from './stream-output.js';
export type { FileSendEvents, FileSendingResponder } from './file-output.js';
import type { FileSendingResponder } from './file-output.js';
import type { BodyStreamControl, BodyStreamHandlers, BodyStreamLimits } from './stream-input.js';
export * from './stream-input.js';
import type { WsResponder, WsTransportHandlers } from './ws-transport.js';
export * from './ws-transport.js';

// The shared vocabulary (method ids, request flags, reason phrases, default limits) is defined once
// in @jato/parser and re-exported here, as values, for @jato/core and other users of the transport.
export {
  MethodId, METHOD_NAMES, RequestFlag, STATUS_TEXT, DEFAULT_LIMITS, methodIdOf, reasonOf,
} from '@jato/parser';

/** A batch of framed requests handed to JS in one call. */
export interface RequestBatch {
  /** Number of requests in this batch. */
  readonly count: number;
  /** Connection id of request i. */
  conn(i: number): number;
  /** Per-connection sequence number of request i (0, 1, 2, … in arrival order). */
  seq(i: number): number;
  /** Method id of request i (`MethodId`); `methodName(i)` gives the token for `MethodId.Other`. */
  method(i: number): MethodId;
  methodName(i: number): string;
  /** Flags of request i (RequestFlag bits). */
  flags(i: number): number;
  /** The raw request-target of request i, as a latin1 string. */
  target(i: number): string;
  /** Number of header lines of request i. */
  headerCount(i: number): number;
  /** Name of header j of request i as sent (not lowercased), latin1. */
  headerName(i: number, j: number): string;
  /** Value of header j of request i, latin1. */
  headerValue(i: number, j: number): string;
  /**
   * Every header line of request i in one call: `[name0, value0, name1, value1, …]`, names as sent,
   * latin1 — the same strings as `headerName`/`headerValue`, but with one read of batch memory
   * instead of two per line (the cheap way to copy a request's headers out of the batch). The array
   * may be shared with an earlier request whose lines were byte-for-byte the same: do not modify it.
   * Unlike the rest of the batch, the strings stay valid after the batch.
   */
  headerLines(i: number): readonly string[];
  /**
   * Index of the first header line of request i at or after line `from` whose name is `key`
   * (lower case; names compare ASCII case-insensitively), or -1. Optional: a transport that has it
   * answers a lookup of one name without copying the header lines out (read the value with
   * `headerValue(i, j)`).
   */
  headerIndexOf?(i: number, key: string, from: number): number;
  /** Body bytes of request i (a view valid only during the batch; empty when there is none). */
  body(i: number): Uint8Array;
}

/** A head for `Responder.respondNumbered`: the shared part and the start of its numbered line (both validated). */
export interface NumberedHead {
  readonly head: string;
  readonly start: string;
}

/** Where responses go. Calls during `onBatch` are gathered into one write per connection. */
export interface Responder extends Partial<BodyStreamControl>, Partial<WsResponder> {
  /**
   * Send the complete response to request (conn, seq).
   * @param head status line + header block, ASCII, ending with `\r\n\r\n`
   * @param body a UTF-8 string or bytes (empty string / null for none)
   * @param close close the connection after this response is written
   * Responses may complete in any order; the transport writes them in sequence order per connection.
   * A response for a connection that has gone away is dropped silently.
   */
  respond(conn: number, seq: number, head: string, body: string | Uint8Array | null, close: boolean): void;
  /**
   * `respond` for a head made of a shared part and per-response lines: the transport writes
   * `head + lines + '\r\n' + body`. `head` is a status line and header lines (each ending in `\r\n`)
   * that the caller keeps and passes again for other responses (the same string object: a transport
   * may recognise it by identity); `lines` are this response's own header lines, each ending in
   * `\r\n` (or ''), and are never compared with earlier ones. Both are ASCII and already validated.
   * With `numbered` (a header line's start, `Name: value-prefix`, validated by the caller and kept
   * like `head`), the line `${numbered}${num}\r\n` follows `lines`: `num` is a non-negative safe
   * integer written as decimal digits, so the caller makes no string for it (a counter-made id).
   * Optional: without it, send `head + lines + numbered line + '\r\n'` through `respond`.
   */
  respondLines?(
    conn: number, seq: number, head: string, lines: string, body: string | Uint8Array | null, close: boolean,
    numbered?: string | null, num?: number,
  ): void;
  /**
   * `respondLines(conn, seq, tpl.head, '', body, close, tpl.start, num)`: a head made of the shared
   * part and one numbered line, a string body. `tpl` is kept by the caller while its strings stay
   * the same (a transport may recognise it, and its strings, by the object's identity). Optional.
   */
  respondNumbered?(conn: number, seq: number, tpl: NumberedHead, body: string | null, num: number, close: boolean): void;
  /** Start a streamed response (see `stream-output.ts`); absent on a transport that cannot stream. */
  stream?: StreamingResponder['stream'];
  /**
   * Write the same chunk to `count` open streams of this responder, encoded once and shared (a
   * broadcast); the same as `write(chunk)` on each, without the results. Absent: write to each.
   */
  streamPublish?(streams: readonly ResponseStream[], count: number, chunk: string | Uint8Array): void;
  /**
   * Unsent bytes per connection at or above which a stream's `write` returns false. Bytes written
   * to a stream are referenced until sent and always counted in the unsent output: a producer that
   * wrote more than this (plus its largest chunk) since a buffer was written may reuse that buffer.
   */
  readonly highWaterMark?: number;
  /** Send a file body from the transport (see `file-output.ts`); absent where it cannot (JS transport). */
  sendFile?: FileSendingResponder['sendFile'];
}

/** Callbacks from the transport into its user. */
export interface ServerHandlers extends BodyStreamHandlers {
  /** All complete requests of one read / loop turn. Respond synchronously through `out` or later. */
  onBatch(batch: RequestBatch, out: Responder): void;
  /**
   * The client went away (reset, error, timeout, close) or half-closed (FIN) while requests were
   * pending: abort its pending work. After a FIN the answers that still come are written, and the
   * socket is closed when they are, or at the latest a keep-alive timeout after the FIN; the notice
   * may then come a second time when the socket really closes (treat it as idempotent).
   */
  onConnectionClose?(conn: number): void;
  /** WebSocket connections (see ws-transport.ts); without it every upgrade request is answered like any request. */
  ws?: WsTransportHandlers;
}

/** Limits enforced by the transport (defaults in parentheses). */
export interface TransportLimits extends BodyStreamLimits {
  /** Request line + header section (16 KiB): 431 (414 for the target). */
  maxHeadBytes?: number;
  /**
   * Header lines per request (`maxHeadBytes / 4`, 4096 by default: more lines than fit in the head,
   * so `maxHeadBytes` is the real guard): 431.
   */
  maxHeaders?: number;
  /** Body bytes, inclusive (1 MiB): 413. */
  maxBodyBytes?: number;
  /** Requests per connection handed to JS but not yet answered (128); above it reading pauses. */
  maxInFlight?: number;
  /** Unsent output bytes per connection (1 MiB) above which reading pauses until it drains. */
  highWaterMark?: number;
}

/** Timeouts in milliseconds (defaults in parentheses); 408 is sent where the client can read it. */
export interface TransportTimeouts {
  /** Whole header section from its first byte (10 000). */
  headers?: number;
  /** Grace before the minimum body rate applies (5 000). */
  bodyGrace?: number;
  /** Minimum body data rate after the grace, bytes per second (240). */
  bodyMinRate?: number;
  /** Keep-alive idle time between requests (5 000). */
  keepAlive?: number;
  /** A pending write that makes no progress for this long closes the connection (10 000). */
  write?: number;
}

/** Options of `createServer`. */
export interface ServerOptions {
  host?: string;
  port?: number;
  /** Set SO_REUSEPORT so several processes can share the port. */
  reusePort?: boolean;
  /** `Server` header value used in the transport's own error responses ('jato'). */
  serverName?: string;
  /** 'auto' (native, else JS with one warning), 'native' (throw if unavailable) or 'js'. */
  transport?: 'auto' | 'native' | 'js';
  limits?: TransportLimits;
  timeouts?: TransportTimeouts;
}

/** Counters a server exposes. */
export interface ServerStats {
  /** Connections open now. */
  connections: number;
  /** Connections accepted since the server started listening. */
  accepted: number;
  inFlight: number;
  requests: number;
  bytesRead: number;
  bytesWritten: number;
}

/** A listening (or not yet listening) HTTP/1.1 server. */
export interface HttpServer {
  /** 'native' or 'js'. */
  readonly transport: 'native' | 'js';
  listen(): Promise<{ address: string; port: number; family: 'IPv4' | 'IPv6' }>;
  /** Stop accepting, let in-flight requests finish until `deadlineMs`, close idle connections. */
  close(deadlineMs?: number): Promise<void>;
  stats(): ServerStats;
  /** The cached `Date` header value (IMF-fixdate), refreshed once a second. */
  dateHeader(): string;
  /** Remote address and port of a live connection, or undefined. */
  remote(conn: number): { address: string; port: number } | undefined;
  /** The Responder (also usable outside onBatch for async completions). */
  readonly responder: Responder;
}
