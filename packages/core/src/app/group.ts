import type { Middleware } from '../middleware/types.js';
import type { RouteOptions } from './route-options.js';
import { requestHookMiddleware, responseHookMiddleware } from './route-options.js';
import type { Handler, RequestHook, ResponseHook } from './types.js';

/** HTTP methods a route accepts: a method token, or '*' for any. */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | (string & {});

/** `Prefix` and `Path` joined as the router sees them (`'/v1'` + `'/'` is `'/v1'`). */
export type JoinPath<Prefix extends string, Path extends string> = Path extends '/' | ''
  ? Prefix extends '' ? '/' : Prefix
  : `${Prefix}${Path}`;

/** Join a prefix and a path at run time, as `JoinPath` does for types. */
export function joinPath(prefix: string, path: string): string {
  if (path === '/' || path === '') return prefix === '' ? '/' : prefix;
  return prefix + path;
}

/** Checks a group or mount prefix: '' or '/…' without a trailing slash. */
export function checkPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || (prefix !== '' && (prefix.charCodeAt(0) !== 47 || prefix.endsWith('/')))) {
    throw new TypeError(`Invalid prefix ${JSON.stringify(prefix)}: expected '' or '/segment…' without a trailing slash`);
  }
}

/** What a group registers its routes through (its app). @internal */
export interface RouteSink {
  addRoute(methods: Method | readonly Method[], path: string, handler: Handler, scope: readonly Middleware[], options: RouteOptions | undefined): void;
}

/**
 * Routes under a common prefix sharing middleware and hooks (`app.group('/v1', (r) => …)`). The
 * group's middleware and hooks run (inside the app's) for the routes registered in it after them;
 * params of its routes include the prefix's (`app.group('/users/:uid', (r) => r.get('/posts', (req) =>
 * req.params.uid))`), and the app's `extend` types apply.
 */
export class RouteGroup<Ext = unknown, Prefix extends string = ''> {
  /** @internal */
  private readonly sink: RouteSink;
  /** @internal */
  private readonly prefix: string;
  /** @internal */
  private readonly scope: Middleware[];

  /** @internal groups are made by `app.group()` */
  constructor(sink: RouteSink, prefix: string, scope: readonly Middleware[]) {
    this.sink = sink;
    this.prefix = prefix;
    this.scope = scope.slice();
  }

  /** Add middleware for the routes registered in this group after this call. */
  use(...middleware: Middleware<Ext>[]): this {
    for (const mw of middleware) {
      if (typeof mw !== 'function') throw new TypeError('Middleware must be a function');
      this.scope.push(mw as Middleware);
    }
    return this;
  }

  /** An onRequest hook for the routes registered in this group after this call. */
  onRequest(hook: RequestHook<Ext>): this {
    this.scope.push(requestHookMiddleware(hook as RequestHook));
    return this;
  }

  /** An onResponse hook for the routes registered in this group after this call. */
  onResponse(hook: ResponseHook<Ext>): this {
    this.scope.push(responseHookMiddleware(hook as ResponseHook));
    return this;
  }

  /** A nested group: its prefix is appended to this one's, its middleware runs inside this one's. */
  group<P extends string>(prefix: P, define: (group: RouteGroup<Ext, `${Prefix}${P}`>) => void): this {
    checkPrefix(prefix);
    define(new RouteGroup<Ext, `${Prefix}${P}`>(this.sink, this.prefix + prefix, this.scope));
    return this;
  }

  /** Register `handler` for `methods` on the prefix + `path`. */
  route<Path extends string>(
    methods: Method | readonly Method[],
    path: Path,
    handler: Handler<JoinPath<Prefix, Path>, Ext>,
    options?: RouteOptions<Ext>,
  ): this {
    this.sink.addRoute(methods, joinPath(this.prefix, path), handler as Handler, this.scope, options as RouteOptions | undefined);
    return this;
  }
  /** `GET` (and `HEAD`). */
  get<Path extends string>(path: Path, handler: Handler<JoinPath<Prefix, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('GET', path, handler, options);
  }
  /** `POST`. */
  post<Path extends string>(path: Path, handler: Handler<JoinPath<Prefix, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('POST', path, handler, options);
  }
  /** `PUT`. */
  put<Path extends string>(path: Path, handler: Handler<JoinPath<Prefix, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('PUT', path, handler, options);
  }
  /** `PATCH`. */
  patch<Path extends string>(path: Path, handler: Handler<JoinPath<Prefix, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('PATCH', path, handler, options);
  }
  /** `DELETE`. */
  delete<Path extends string>(path: Path, handler: Handler<JoinPath<Prefix, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('DELETE', path, handler, options);
  }
  /** `OPTIONS`. */
  options<Path extends string>(path: Path, handler: Handler<JoinPath<Prefix, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('OPTIONS', path, handler, options);
  }
  /** Every method. */
  all<Path extends string>(path: Path, handler: Handler<JoinPath<Prefix, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('*', path, handler, options);
  }
}
