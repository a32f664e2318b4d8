import type { Responder } from '@jato/native-loop';
import type { Request } from '../request/request.js';
import { FLAG_KEEP_ALIVE, connectionLine } from './encoder.js';

/**
 * Send a response whose head is a cached, validated `prefix` (status line and shared header lines)
 * plus the request's own header `lines` (validated where they were made): through the transport's
 * `respondLines` when it has one (the prefix is reused as it is, the lines only appended), else as
 * one head string. @internal
 */
export function sendWithLines(out: Responder, req: Request, prefix: string, lines: string, body: string | Uint8Array | null): void {
  const flags = req.flags;
  const own = lines + connectionLine(flags); // '' for HTTP/1.1 keep-alive
  const close = (flags & FLAG_KEEP_ALIVE) === 0;
  if (out.respondLines !== undefined) out.respondLines(req.conn, req.seq, prefix, own, body, close);
  else out.respond(req.conn, req.seq, `${prefix}${own}\r\n`, body, close);
}
