import type { PathParams } from '@jato/router';
import type { Request } from '../request/request.js';
import type { Response } from '../response/response.js';

/**
 * What a handler may return (or resolve to):
 * - `string` → 200 `text/plain; charset=utf-8`
 * - `Uint8Array` / `ArrayBuffer` → 200 `application/octet-stream`
 * - `null` / `undefined` → 204 No Content
 * - a jato `Response` → as built
 * - a Web-standard `Response` (globalThis.Response) → its status, headers and body (slower path)
 * - any other value (object, array, number, boolean) → 200 JSON
 */
export type HandlerResult =
  | string
  | Uint8Array
  | ArrayBuffer
  | Response
  | globalThis.Response
  | null
  | undefined
  | void
  | number
  | boolean
  | object;

/** The request type a handler of `Path` sees in an app extended with `Ext`. */
export type RequestOf<Path extends string, Ext> = Request<PathParams<Path>> & Ext;

/** A route handler: sync or async, returning a `HandlerResult`. */
export type Handler<Path extends string = string, Ext = unknown> = (
  req: RequestOf<Path, Ext>,
) => HandlerResult | Promise<HandlerResult>;

/** Handles errors of one class: returns the response to send instead. */
export type ErrorHandler<E, Ext = unknown> = (
  error: E,
  req: Request & Ext,
) => HandlerResult | Promise<HandlerResult>;

/** Answers requests no route matches (default: 404 `Not Found`). */
export type NotFoundHandler<Ext = unknown> = (req: Request & Ext) => HandlerResult | Promise<HandlerResult>;

/** Answers requests whose path exists under other methods (default: 405 with `Allow`). */
export type MethodNotAllowedHandler<Ext = unknown> = (
  req: Request & Ext,
  allowed: readonly string[],
) => HandlerResult | Promise<HandlerResult>;

/**
 * Runs before the handler (after the route is matched, so `req.params` is set), inside the app's
 * middleware; also for requests no route matches (`req.route` is then ''). Return `undefined` to
 * continue, or a `HandlerResult` to answer without calling the handler (or the 404/405).
 */
export type RequestHook<Ext = unknown> = (req: Request & Ext) => HandlerResult | Promise<HandlerResult>;

/**
 * Runs once the response is known, just before it is encoded (also for error and 404 responses).
 * Return a `Response` to replace it, or nothing to keep it (you may change `res.headers`).
 */
export type ResponseHook<Ext = unknown> = (req: Request & Ext, res: Response) => Response | void;

/** A lazily computed request property: `app.extend('user', { get: (req) => … })`. */
export interface LazyExtension<T, Ext = unknown> {
  get(req: Request & Ext): T;
}

/** A request method: `app.extend('greet', (req, name: string) => …)` → `req.greet('x')`. */
export type MethodExtension<A extends unknown[], R, Ext = unknown> = (req: Request & Ext, ...args: A) => R;

/** The stored value of a route (what the router holds). @internal */
export interface RouteEntry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly handler: (req: any) => unknown;
  /** The route's largest streamed body (RouteOptions.bodyLimit), if set. */
  readonly bodyLimit?: number;
}

