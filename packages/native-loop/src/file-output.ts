/**
 * The transport contract of a file body sent by the transport itself (the native loop reads the
 * file on libuv's thread pool and writes it to the socket without a call into JS per chunk).
 *
 * `responder.sendFile(conn, seq, head, fd, offset, length, close, events)` takes the place of
 * `respond` for request (conn, seq): the head goes out in the connection's order, then exactly
 * `length` bytes of `fd` from `offset`, then the later (pipelined) responses. Backpressure is the
 * transport's (it reads only while the connection's unsent output is low). A read error or a file
 * that became shorter closes the connection (the client sees fewer bytes than announced), never
 * more bytes than `length`. The transport takes its own copy of `fd` (dup) when it processes the
 * call's output row, which happens before the next event-loop turn: the caller keeps `fd` open at
 * least until then (`setImmediate`), and may close it from then on.
 */

/** What the transport tells the owner of a file body. */
export interface FileSendEvents {
  /**
   * Called once: `true` when every byte was handed to the connection, `false` when the send failed
   * (read error, shorter file) or the connection went away.
   */
  onDone(ok: boolean): void;
}

/** A Responder that sends file bodies itself (the native transport). */
export interface FileSendingResponder {
  /**
   * @param head status line + header block (with the `Content-Length` of `length`) ending with `\r\n\r\n`
   * @param fd an open descriptor of a regular file (kept open by the caller until the next turn)
   * @param offset first byte (an integer >= 0)
   * @param length bytes to send (an integer >= 0)
   * @param close close the connection after this response
   */
  sendFile(conn: number, seq: number, head: string, fd: number, offset: number, length: number, close: boolean, events: FileSendEvents): void;
}
