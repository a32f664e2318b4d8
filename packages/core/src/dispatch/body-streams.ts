import { RequestFlag, type BodyChunks, type Responder } from '@jato/native-loop';
import { BodySource } from '../request/body-source.js';
import { copyBytes } from '../request/copy-bytes.js';
import type { Request } from '../request/request.js';

/**
 * The streamed request bodies of one dispatcher, by connection and sequence number: opened when the
 * request is dispatched, fed by the transport's `onBodyChunks`, dropped when the response is sent
 * (the transport discards what is left) and aborted when the connection closes.
 * @internal
 */
export class BodyStreams {
  private readonly byConn = new Map<number, Map<number, BodySource>>();

  open(req: Request, out: Responder, limit: number): void {
    const src = new BodySource(out, req.conn, req.seq, limit);
    src.request = req;
    req.bodySource = src;
    let m = this.byConn.get(req.conn);
    if (m === undefined) this.byConn.set(req.conn, (m = new Map()));
    m.set(req.seq, src);
  }

  deliver(chunks: BodyChunks): void {
    for (let k = 0; k < chunks.count; k++) {
      const src = this.byConn.get(chunks.conn(k))?.get(chunks.seq(k));
      if (src !== undefined) src.push(chunks.keep !== undefined ? chunks.keep(k) : copyBytes(chunks.data(k)), chunks.end(k));
    }
  }

  /** The response to `req` is out: its body is no longer read. */
  drop(req: Request): void {
    const src = req.bodySource;
    if (src === null) return;
    src.drop();
    const m = this.byConn.get(src.conn);
    if (m === undefined) return;
    m.delete(src.seq);
    if (m.size === 0) this.byConn.delete(src.conn);
  }

  /** A graceful close began: the requests whose body is still coming are the last of their connection. */
  closeAfter(): void {
    for (const m of this.byConn.values()) {
      for (const src of m.values()) if (src.request !== null) src.request.flags &= ~RequestFlag.KeepAlive;
    }
  }

  abortConnection(conn: number): void {
    const m = this.byConn.get(conn);
    if (m === undefined) return;
    this.byConn.delete(conn);
    for (const src of m.values()) src.abort();
  }
}
