import { Response, type ResponseInit } from './response.js';
import { SseSource } from './sse-source.js';

/** One server-sent event. Every field is optional; `data` that is not a string is sent as JSON. */
export interface SseEvent {
  /** Event type (`event:`), no CR/LF. */
  event?: string;
  /** Payload: a string (split into one `data:` line per line) or a value sent as JSON. */
  data?: unknown;
  /** Event id (`id:`), no CR, LF or NUL; the client sends it back as `Last-Event-ID` on reconnect. */
  id?: string;
  /** Reconnection time the client should use, in ms (`retry:`). */
  retry?: number;
  /** A comment line (`: text`), ignored by clients. */
  comment?: string;
}

/** What an `sse()` source yields: an event, a string (sent as `data`), or several at once (one step of the source for all). */
export type SseItem = SseEvent | string | readonly (SseEvent | string)[];

/** The framing of an item: an array is its events in order. */
function formatSseItem(item: SseItem): string {
  if (!Array.isArray(item)) return formatSseEvent(item as SseEvent | string);
  let out = '';
  for (const e of item as readonly (SseEvent | string)[]) out += formatSseEvent(e);
  return out;
}

/** Options of `sse()`. */
export interface SseOptions extends Omit<ResponseInit, 'type' | 'charset'> {
  /** Send a `:` comment after this many ms without an event, so proxies keep the stream (15 000; 0: never). */
  heartbeat?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;
const BAD_FIELD = /[\r\n\0]/;

/**
 * Renders one event in `text/event-stream` framing (ends with the blank line that dispatches it).
 * A string is sent as `data`. Throws a TypeError for an `event`/`id`/`comment` with a line break (or
 * NUL in `id`) or a `retry` that is not a non-negative integer.
 */
export function formatSseEvent(e: SseEvent | string): string {
  if (typeof e === 'string') return `${dataLines(e)}\n`;
  let out = '';
  if (e.comment !== undefined) {
    if (/[\r\n]/.test(e.comment)) throw new TypeError('An SSE comment may not contain a line break');
    out += `: ${e.comment}\n`;
  }
  if (e.event !== undefined) {
    if (BAD_FIELD.test(e.event)) throw new TypeError('An SSE event type may not contain CR, LF or NUL');
    out += `event: ${e.event}\n`;
  }
  if (e.id !== undefined) {
    if (BAD_FIELD.test(e.id)) throw new TypeError('An SSE id may not contain CR, LF or NUL');
    out += `id: ${e.id}\n`;
  }
  if (e.retry !== undefined) {
    if (!Number.isSafeInteger(e.retry) || e.retry < 0) throw new TypeError('SSE retry must be a non-negative integer');
    out += `retry: ${e.retry}\n`;
  }
  if (e.data !== undefined) out += dataLines(typeof e.data === 'string' ? e.data : (JSON.stringify(e.data) ?? 'null'));
  return out === '' ? '' : `${out}\n`;
}

function dataLines(data: string): string {
  if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) return `data: ${data}\n`; // one line: no split
  let out = '';
  for (const line of data.split(LINE_BREAK)) out += `data: ${line}\n`;
  return out;
}

/**
 * A server-sent events response (`text/event-stream`, `Cache-Control: no-cache`,
 * `X-Accel-Buffering: no`): each event the source yields is framed and sent at once (a source that
 * has several ready yields them as one array: one step of the source, not one per event); a `:` comment
 * goes out after `heartbeat` ms without one. When the client leaves, `req.signal` fires, the signal
 * given to a `source` function aborts (a producer waiting for its next event can stop at once), and
 * the source's `return()` is called (an `async function*`'s `finally` runs when it next resumes).
 * Read the client's `Last-Event-ID` with `req.header('last-event-id')`.
 *
 * @example
 * app.get('/tokens', (req) => sse(async function* () {
 *   for (const token of ['Hel', 'lo', '!']) yield { event: 'token', data: token };
 *   yield { event: 'done', data: '' };
 * }()));
 */
export function sse(
  source: AsyncIterable<SseItem> | ((signal: AbortSignal) => AsyncIterable<SseItem>),
  options: SseOptions = {},
): Response {
  const { heartbeat = 15_000, headers, ...init } = options;
  const stop = new AbortController();
  const events = typeof source === 'function' ? source(stop.signal) : source;
  const body = new SseSource(events[Symbol.asyncIterator](), formatSseItem, heartbeat, stop);
  const res = new Response(body, { ...init, type: 'text/event-stream', charset: 'utf-8', headers });
  if (!res.headers.has('cache-control')) res.headers.set('Cache-Control', 'no-cache');
  if (!res.headers.has('x-accel-buffering')) res.headers.set('X-Accel-Buffering', 'no');
  return res;
}
