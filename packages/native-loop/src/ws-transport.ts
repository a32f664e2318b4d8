/**
 * The WebSocket part of the transport contract (both transports). An upgrade request reaches
 * `onBatch` like any request (flag `RequestFlag.Upgrade`); its user either answers it normally (a
 * refusal: HTTP goes on) or calls `wsAccept` with the complete 101 response, after which the
 * connection carries WebSocket frames: the transport parses them (the native loop in C++, the JS
 * transport with @jato/parser's TypeScript twin), answers pings, runs the close handshake, enforces
 * the message size (1009), the idle timeout and `maxBackpressure`, and hands whole messages and the
 * close to `ws.onEvents` in the same per-turn batch as requests. Frames sent during a turn are
 * gathered into one write per connection.
 */

/** Kinds of a WebSocket event. */
export const WsEventKind = {
  /** A text message (valid UTF-8 unless compressed). */
  Text: 1,
  /** A binary message. */
  Binary: 2,
  /** The close handshake (the peer's code, 1005 for none) or a protocol error we closed with (1002/1007/1009). */
  Close: 8,
} as const;

/** Set in `kind(i)` when the message had RSV1 (permessage-deflate): its data is still compressed. */
export const WS_COMPRESSED = 0x100;

/** WebSocket events of one loop turn. Valid only during the `onEvents` call. */
export interface WsEventBatch {
  readonly count: number;
  conn(i: number): number;
  /** `WsEventKind`, possibly `| WS_COMPRESSED`. */
  kind(i: number): number;
  /** Close code of a Close event. */
  code(i: number): number;
  /** Message payload or close reason: a view valid only during the call. */
  data(i: number): Uint8Array;
  /** The payload decoded as UTF-8 (one string, no intermediate view): for text messages. */
  text(i: number): string;
}

/** Per-connection settings handed over with the 101. */
export interface WsAcceptOptions {
  /** Largest message in bytes (16 MiB); over it the connection is closed with 1009. */
  maxMessage: number;
  /** Close (1001) after this many ms without input; 0 disables (120 000). */
  idleTimeout: number;
  /** Unsent bytes over which the connection is closed: a peer that does not read (16 MiB). */
  maxBackpressure: number;
  /** Ping once the idle timeout passes before closing on the next one (true). */
  sendPings: boolean;
  /** permessage-deflate was negotiated: RSV1 is allowed on a message's first frame. */
  deflate: boolean;
}

/** Frame opcodes a user sends. */
export type WsSendOpcode = 1 | 2 | 9 | 10;

/** How the transport takes WebSocket output (part of its Responder). */
export interface WsResponder {
  /** Answer upgrade request (conn, seq) with `head` (the whole 101 response, ASCII) and switch the connection to frames. */
  wsAccept(conn: number, seq: number, head: string, options: WsAcceptOptions): void;
  /**
   * Queue one frame (FIN set): text from a string (UTF-8) or bytes. `rsv1`: the payload is deflated.
   * `wantDrain`: ask for one `onDrain` once unsent output is under the high-water mark.
   * Returns the frame's size in bytes.
   */
  wsSend(conn: number, opcode: WsSendOpcode, payload: string | Uint8Array, rsv1: boolean, wantDrain: boolean): number;
  /** The same frame to `count` connections of `conns`: framed once, written to each. Returns the frame size. */
  wsPublish(conns: ArrayLike<number>, count: number, opcode: WsSendOpcode, payload: string | Uint8Array, rsv1: boolean): number;
  /** Ask for one `onDrain` once unsent output of `conn` is under the high-water mark. */
  wsWantDrain(conn: number): void;
  /** Our close frame; the connection closes when the peer answers or after a deadline. */
  wsClose(conn: number, code: number, reason: string): void;
  /** Close the TCP connection now (no close frame). */
  wsTerminate(conn: number): void;
  /** Bytes not yet written to the socket, including frames queued this turn; -1 when gone. */
  wsBuffered(conn: number): number;
}

/** Callbacks of a transport into its user for WebSocket connections. */
export interface WsTransportHandlers {
  /** Messages and closes of one loop turn. */
  onEvents(batch: WsEventBatch): void;
  /** Unsent output of `conn` went under the high-water mark after a send asked for it. */
  onDrain(conn: number): void;
}
