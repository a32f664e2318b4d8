import { PayloadTooLargeError } from '../errors/http-error.js';
import { isThenableResult } from '../dispatch/error-result.js';
import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import { timeoutMiddleware } from './route-timeout.js';
import type { RequestHook, ResponseHook } from './types.js';

/**
 * Options of one route (the third argument of `app.get(path, handler, options)` and friends).
 * They run inside the app's and the group's middleware, in this order: `use`, `onRequest`,
 * `onResponse`, `timeout`, the body limit, the handler.
 */
export interface RouteOptions<Ext = unknown> {
  /** Middleware of this route only. */
  use?: Middleware<Ext> | readonly Middleware<Ext>[];
  /** Hooks run before this route's handler (a result other than `undefined` answers instead). */
  onRequest?: RequestHook<Ext> | readonly RequestHook<Ext>[];
  /** Hooks run on this route's response (including its error responses). */
  onResponse?: ResponseHook<Ext> | readonly ResponseHook<Ext>[];
  /**
   * A body limit for this route, in bytes: a larger body is answered 413 before the handler runs.
   * It can only be lower than the app's `limits.maxBodyBytes` (the transport enforces that one
   * while reading).
   */
  maxBodyBytes?: number;
  /**
   * Largest request body this route accepts, in bytes (`Infinity` allowed). Above the app's
   * `maxBodyBytes` (1 MiB) the body is streamed: read it with `req.body`, `req.stream()` or
   * `req.multipart()` (`bytes()`, `text()`, `json()` and `form()` still stop at `maxBodyBytes`).
   * Without it the route's limit is `maxBodyBytes`. A declared length over the limit is answered 413
   * before the body is read; a chunked body that grows over it errors its stream with a 413.
   */
  bodyLimit?: number;
  /**
   * Milliseconds the handler (and the body limit check) has to produce its result: later,
   * the request is answered `503 Service Unavailable` (through the app's error handlers and
   * middleware) and `req.signal` fires with a `TimeoutError`; a result that comes later is dropped.
   * Covers the head, not the streaming of a body. Sync handlers cost no timer.
   *
   * ```ts
   * app.get('/report', async (req) => fetch(upstream, { signal: req.signal }), { timeout: 2_000 })
   * ```
   */
  timeout?: number;
}

function list<T>(v: T | readonly T[] | undefined): readonly T[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

/** An onRequest hook as middleware: a result other than undefined answers instead of `next()`. */
export function requestHookMiddleware(hook: RequestHook): Middleware {
  if (typeof hook !== 'function') throw new TypeError('An onRequest hook must be a function');
  return (req, next) => {
    const r = hook(req);
    if (isThenableResult(r)) return Promise.resolve(r).then((v) => (v !== undefined ? v : next()));
    return r !== undefined ? r : next();
  };
}

/** An onResponse hook as middleware: sees the response of `next()` (errors included). */
export function responseHookMiddleware(hook: ResponseHook): Middleware {
  if (typeof hook !== 'function') throw new TypeError('An onResponse hook must be a function');
  return (req, next) => mapResponse(next(), (res) => hook(req, res));
}

/** The middleware a route's options stand for, in order. Throws on an invalid option. */
export function optionMiddleware(options: RouteOptions | undefined): Middleware[] {
  if (options === undefined) return [];
  if (options === null || typeof options !== 'object') throw new TypeError('Route options must be an object');
  const out: Middleware[] = [];
  for (const mw of list(options.use)) {
    if (typeof mw !== 'function') throw new TypeError('Route middleware must be a function');
    out.push(mw as Middleware);
  }
  for (const h of list(options.onRequest)) out.push(requestHookMiddleware(h as RequestHook));
  for (const h of list(options.onResponse)) out.push(responseHookMiddleware(h as ResponseHook));
  if (options.timeout !== undefined) out.push(timeoutMiddleware(options.timeout));
  const limit = options.maxBodyBytes;
  if (limit !== undefined) {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError('maxBodyBytes must be a non-negative integer');
    out.push((req, next) => {
      if (req.bodyLength > limit) throw new PayloadTooLargeError(`Payload Too Large: the body exceeds ${limit} bytes`);
      return next();
    });
  }
  return out;
}
