import type { RequestBatch, Responder, ServerHandlers } from '../../../src/types.js';

/** A minimal response head with a Content-Length. */
export function head(status: number, body: string | Uint8Array, extra = ''): string {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return `HTTP/1.1 ${status} X\r\nContent-Length: ${length}\r\n${extra}\r\n`;
}

/** A snapshot of one request of a batch (valid after the batch, unlike the batch itself). */
export interface SeenRequest {
  conn: number;
  seq: number;
  method: string;
  target: string;
  flags: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

export function snapshot(batch: RequestBatch, i: number): SeenRequest {
  const headers: Array<[string, string]> = [];
  for (let j = 0; j < batch.headerCount(i); j++) headers.push([batch.headerName(i, j), batch.headerValue(i, j)]);
  return {
    conn: batch.conn(i),
    seq: batch.seq(i),
    method: batch.methodName(i),
    target: batch.target(i),
    flags: batch.flags(i),
    headers,
    body: Buffer.from(batch.body(i)),
  };
}

/**
 * Handlers that answer every request synchronously with its target as the body (or what `answer`
 * returns) and record the batches they saw.
 */
export function echoHandlers(answer?: (req: SeenRequest, out: Responder) => boolean): ServerHandlers & {
  batches: SeenRequest[][];
  closed: number[];
} {
  const batches: SeenRequest[][] = [];
  const closed: number[] = [];
  return {
    batches,
    closed,
    onBatch(batch, out) {
      const seen: SeenRequest[] = [];
      for (let i = 0; i < batch.count; i++) {
        const req = snapshot(batch, i);
        seen.push(req);
        if (answer?.(req, out)) continue;
        const body = req.target;
        out.respond(req.conn, req.seq, head(200, body), body, false);
      }
      batches.push(seen);
    },
    onConnectionClose(conn) {
      closed.push(conn);
    },
  };
}
