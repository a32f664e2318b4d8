import type { HandlerResult } from '../app/types.js';
import type { Request } from '../request/request.js';

/**
 * Calls the rest of the chain (the next middleware, or the route's handler) and returns its
 * result: the value as it is when everything downstream is sync, a Promise when something is
 * async. Errors thrown downstream are already answered by the app's error handlers, so `next()`
 * returns the error response instead of throwing. Call it at most once.
 */
export type Next = () => HandlerResult | Promise<HandlerResult>;

/**
 * Middleware: runs around the handler (onion order: the first registered is the outermost). Return
 * `next()` (or something derived from it) to continue, or any `HandlerResult` to answer without
 * calling the rest (e.g. a 401). Sync middleware costs no promise:
 *
 * ```ts
 * app.use((req, next) => (req.header('authorization') ? next() : new Response('no', { status: 401 })))
 * app.use(async (req, next) => { const t = Date.now(); const res = await next(); log(Date.now() - t); return res })
 * ```
 */
export type Middleware<Ext = unknown> = (req: Request & Ext, next: Next) => HandlerResult | Promise<HandlerResult>;
