import type { Responder } from '@jato/native-loop';
import type { Request } from '../request/request.js';
import type { NumberedLine } from '../middleware/fast-step.js';
import type { PlannedHead } from '../middleware/lead-plan.js';
import { FLAG_HTTP10, FLAG_KEEP_ALIVE, connectionLine } from './encoder.js';

/**
 * Send a response whose head is a cached, validated `prefix` (status line and shared header lines)
 * plus the request's own header `lines` (validated where they were made) and, with `numbered`, the
 * line `${numbered.start}${num}\r\n` after them: through the transport's `respondLines` when it has
 * one (the prefix is reused as it is, the lines only appended, the number written as digits), else
 * as one head string. @internal
 */
export function sendWithLines(
  out: Responder, req: Request, prefix: string, lines: string, body: string | Uint8Array | null,
  numbered: NumberedLine | null = null, num = 0,
): void {
  const flags = req.flags;
  const conn = connectionLine(flags); // '' for HTTP/1.1 keep-alive
  const close = (flags & FLAG_KEEP_ALIVE) === 0;
  if (out.respondLines !== undefined) {
    if (numbered === null) out.respondLines(req.conn, req.seq, prefix, lines + conn, body, close);
    else if (conn === '') out.respondLines(req.conn, req.seq, prefix, lines, body, close, numbered.start, num);
    else out.respondLines(req.conn, req.seq, prefix, `${lines}${numbered.start}${num}\r\n${conn}`, body, close);
  } else {
    const own = numbered === null ? lines + conn : `${lines}${numbered.start}${num}\r\n${conn}`;
    out.respond(req.conn, req.seq, `${prefix}${own}\r\n`, body, close);
  }
}

/**
 * Send a text response of a `LeadPlan` (see `PlannedHead`): an HTTP/1.1 keep-alive response with a
 * numbered line goes through the transport's `respondNumbered` when it has one (its head recognised
 * by the identity of `tpl`), anything else through `sendWithLines`. @internal
 */
export function sendPlanned(
  out: Responder, req: Request, tpl: PlannedHead, numbered: NumberedLine | null, body: string | null, num: number,
): void {
  if (numbered !== null && (req.flags & (FLAG_KEEP_ALIVE | FLAG_HTTP10)) === FLAG_KEEP_ALIVE && out.respondNumbered !== undefined) {
    out.respondNumbered(req.conn, req.seq, tpl, body, num, false);
  } else sendWithLines(out, req, tpl.head, '', body, numbered, numbered === null ? 0 : num);
}
