import type { ServerHandlers } from '@jato/native-loop';
import { createRouter, type Router } from '@jato/router';
import { Dispatcher, type DispatchConfig } from '../dispatch/dispatcher.js';
import { ErrorHandlers, type ErrorClass } from '../errors/error-handlers.js';
import { consoleLogger, silentLogger, type Logger } from '../logger.js';
import type { FormLimits } from '../request/form.js';
import { Request } from '../request/request.js';
import { checkHeaderValue } from '../response/headers.js';
import type { RequestHost } from '../request/request-host.js';
import { errorResult } from '../dispatch/error-result.js';
import { compose, guard } from '../middleware/compose.js';
import type { Middleware } from '../middleware/types.js';
import { checkPrefix, joinPath, RouteGroup, type JoinPath, type Method } from './group.js';
import { listenApp } from './listen.js';
import { appFetch, toWebRequest } from '../fetch/app-fetch.js';
import { compileTrust } from '../request/trust-proxy.js';
import { optionMiddleware, requestHookMiddleware, responseHookMiddleware, type RouteOptions } from './route-options.js';
import type { AppLimits, AppOptions, ListenOptions, ListeningApp } from './options.js';
import { WsApps } from '../ws/ws-apps.js';
import type { WsHandlers, WsOptions } from '../ws/types.js';
import type { WsData } from '../ws/socket.js';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
import type {
  ErrorHandler, Handler, LazyExtension, MethodExtension, MethodNotAllowedHandler, NotFoundHandler,
  RequestHook, ResponseHook, RouteEntry,
} from './types.js';

export type { Method } from './group.js';

const RESERVED = new Set(Object.getOwnPropertyNames(Request.prototype).concat(
  Object.keys(new Request({} as RequestHost)),
));

/**
 * A jato application: routes, error handlers, hooks and request extensions, served by `listen()`.
 *
 * ```ts
 * const app = new App()
 * app.get('/', () => 'Hello world!')
 * app.get('/users/:id', (req) => ({ id: req.params.id }))
 * await app.listen({ port: 8080 })
 * ```
 *
 * `Ext` is the type of the request extensions added with `extend()`. `Base` (types only) is the
 * prefix an app is written to be mounted under, so its handlers see the prefix's params:
 * `new App<{}, '/users/:uid'>().get('/posts', (req) => req.params.uid)`, then
 * `app.mount('/users/:uid', posts)`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export class App<Ext extends object = {}, Base extends string = ''> {
  /** The options the app was created with. */
  readonly settings: Readonly<AppOptions>;
  /** @internal */
  readonly config: DispatchConfig;
  private readonly router: Router<RouteEntry>;
  private readonly requestClass: new (host: RequestHost) => Request;
  /** Every route as registered (what `mount()` copies into another app). */
  private draining = false;
  /** @internal the app's WebSocket routes and hubs (ws/ws-apps.ts) */
  readonly wsApps = new WsApps();
  private readonly registered: Array<{ methods: Method | readonly Method[]; path: string; handler: Handler }> = [];

  constructor(options: AppOptions = {}) {
    this.settings = Object.freeze({ ...options });
    this.router = createRouter<RouteEntry>();
    // Each app gets its own Request subclass: extensions live on its prototype, so every request of
    // the app keeps one hidden class (monomorphic property access on the hot path).
    this.requestClass = class AppRequest extends Request {};
    const logger: Logger = options.logger === false ? silentLogger : (options.logger ?? consoleLogger);
    const formLimits: FormLimits = {
      ...(options.limits?.maxBodyBytes !== undefined ? { maxFileBytes: options.limits.maxBodyBytes } : {}),
      ...options.limits?.form,
    };
    this.config = {
      router: this.router,
      errorHandlers: new ErrorHandlers(),
      requestHooks: [],
      responseHooks: [],
      middleware: [],
      parent: null,
      notFound: null,
      methodNotAllowed: null,
      logger,
      development: options.development ?? process.env['NODE_ENV'] === 'development',
      // written into every head: checked once here
      serverName: checkHeaderValue('Server', options.serverName ?? 'jato'),
      formLimits,
      maxBodyBytes: options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      trustProxy: options.trustProxy === undefined ? null : compileTrust(typeof options.trustProxy === 'string' ? [options.trustProxy] : options.trustProxy),
      RequestClass: this.requestClass,
    };
  }

  /**
   * @internal the largest `bodyLimit` of a route when it is above `maxBodyBytes` (the transport then
   * streams bodies up to it), else 0.
   */
  streamBodyLimit = 0;

  /** @internal the transport limits for this app: the app's, with streaming on when a route needs it. */
  transportLimits(): AppLimits | undefined {
    const limits = this.settings.limits;
    if (this.streamBodyLimit === 0) return limits;
    return { ...limits, maxStreamBodyBytes: Math.max(limits?.maxStreamBodyBytes ?? 0, this.streamBodyLimit) };
  }

  /**
   * Register `handler` for `methods` on `path`. Params are typed from the path literal:
   * `'/users/:id'` gives `req.params.id: string`. `options` adds middleware, hooks or a body limit
   * to this route only. Throws on an invalid or duplicate route.
   */
  route<Path extends string>(
    methods: Method | readonly Method[],
    path: Path,
    handler: Handler<JoinPath<Base, Path>, Ext>,
    options?: RouteOptions<Ext>,
  ): this {
    this.addRoute(methods, path, handler as Handler, [], options as RouteOptions | undefined);
    return this;
  }

  /** @internal register a route inside the scope of a group (its middleware, outermost first). */
  addRoute(
    methods: Method | readonly Method[],
    path: string,
    handler: Handler,
    scope: readonly Middleware[],
    options: RouteOptions | undefined,
  ): void {
    if (typeof handler !== 'function') throw new TypeError(`The handler of ${path} must be a function`);
    const bodyLimit = options?.bodyLimit;
    if (bodyLimit !== undefined && !(bodyLimit === Infinity || (Number.isSafeInteger(bodyLimit) && bodyLimit >= 0))) {
      throw new RangeError(`The bodyLimit of ${path} must be a safe integer >= 0 or Infinity, got ${String(bodyLimit)}`);
    }
    const chain = scope.length === 0 && options === undefined ? [] : [...scope, ...optionMiddleware(options)];
    const scoped = chain.length === 0 ? handler : (compose(chain, handler as never, this.onScopedError) as Handler);
    this.router.add(
      methods as string | readonly string[], path,
      (bodyLimit === undefined ? { handler: scoped } : { handler: scoped, bodyLimit }) as never,
    );
    if (bodyLimit !== undefined && bodyLimit > this.config.maxBodyBytes) {
      this.streamBodyLimit = Math.max(this.streamBodyLimit, bodyLimit);
    }
    this.registered.push({ methods, path, handler: scoped });
  }

  /** `GET` (and `HEAD`, answered with the GET handler's headers and no body). */
  get<Path extends string>(path: Path, handler: Handler<JoinPath<Base, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('GET', path, handler, options);
  }
  /**
   * A WebSocket route: a `GET` whose opening handshake is checked (426 / 400 otherwise), then
   * `upgrade(req)` accepts (its return value becomes `ws.data`) or refuses (a `Response`); `open`,
   * `message`, `drain` and `close` follow. Messages of a loop turn arrive in the same batch as
   * requests, and sends are gathered into the turn's write.
   *
   * ```ts
   * app.ws('/chat/:room', {
   *   upgrade: (req) => ({ user: req.query.get('user') ?? 'anon' }),
   *   open: (ws) => ws.subscribe(ws.params.room),
   *   message: (ws, data) => ws.publish(ws.params.room, `${ws.data.user}: ${String(data)}`),
   * })
   * ```
   */
  ws<Path extends string, D = undefined>(path: Path, handlers: WsHandlers<JoinPath<Base, Path>, D, Ext>, options?: WsOptions): this {
    this.addRoute('GET', path, this.wsApps.route(handlers, options ?? {}, this.config.logger) as Handler, [], undefined);
    return this;
  }

  /** Send `data` to every WebSocket subscribed to `topic` (framed once). Returns the number of recipients. */
  publish(topic: string, data: WsData, isBinary?: boolean, compress?: boolean): number {
    return this.wsApps.publish(topic, data, isBinary, compress);
  }

  /** `POST` on `path`. */
  post<Path extends string>(path: Path, handler: Handler<JoinPath<Base, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('POST', path, handler, options);
  }
  /** `PUT` on `path`. */
  put<Path extends string>(path: Path, handler: Handler<JoinPath<Base, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('PUT', path, handler, options);
  }
  /** `PATCH` on `path`. */
  patch<Path extends string>(path: Path, handler: Handler<JoinPath<Base, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('PATCH', path, handler, options);
  }
  /** `DELETE` on `path`. */
  delete<Path extends string>(path: Path, handler: Handler<JoinPath<Base, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('DELETE', path, handler, options);
  }
  /** An explicit `HEAD` route (otherwise HEAD uses the GET route). */
  head<Path extends string>(path: Path, handler: Handler<JoinPath<Base, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('HEAD', path, handler, options);
  }
  /** `OPTIONS` on `path`. */
  options<Path extends string>(path: Path, handler: Handler<JoinPath<Base, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('OPTIONS', path, handler, options);
  }
  /** Every method (routes naming a method win over it). */
  all<Path extends string>(path: Path, handler: Handler<JoinPath<Base, Path>, Ext>, options?: RouteOptions<Ext>): this {
    return this.route('*', path, handler, options);
  }

  /**
   * Add middleware that runs around every request of this app, in registration order (the first is
   * the outermost), including 404 and 405 answers: see `Middleware`. Sync middleware costs no
   * promise; an app without middleware pays nothing for the feature.
   */
  use(...middleware: Middleware<Ext>[]): this {
    for (const mw of middleware) {
      if (typeof mw !== 'function') throw new TypeError('Middleware must be a function');
      this.config.middleware.push(mw as Middleware);
    }
    return this;
  }

  /**
   * Routes under `prefix` sharing middleware and hooks:
   *
   * ```ts
   * app.group('/v1', (v1) => {
   *   v1.use(requireUser)                       // only for the routes below
   *   v1.get('/users/:id', (req) => req.params.id)
   * })
   * ```
   * The group's middleware applies to the routes registered in it after `use()`; the app's own
   * middleware and hooks run first. Params of the prefix are typed too.
   */
  group<Prefix extends string>(prefix: Prefix, define: (group: RouteGroup<Ext, `${Base}${Prefix}`>) => void): this {
    checkPrefix(prefix);
    define(new RouteGroup<Ext, `${Base}${Prefix}`>(this, prefix, []));
    return this;
  }

  /**
   * Serve the routes of a separately built `app` under `prefix` (`api.mount('/v1', v1)`). The
   * mounted app's middleware, hooks and error handlers run for its routes only (inside this app's
   * middleware and hooks); an error it does not handle goes to this app's error handlers. Its
   * request extensions are added to this app's requests (a name both define throws). What is copied
   * is the mounted app as it is now: routes or middleware added to it later are not. Its options
   * (logger, limits, notFound) are not used: this app's are.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  mount<Prefix extends string>(prefix: Prefix, app: App<any, '' | Prefix>): this {
    checkPrefix(prefix);
    if (!(app instanceof App) || app === (this as unknown as App<object>)) throw new TypeError('mount() expects another App');
    const sub = app as unknown as App;
    const scope: Middleware[] = [
      ...sub.config.middleware,
      ...sub.config.requestHooks.map((h) => requestHookMiddleware(h)),
      ...sub.config.responseHooks.map((h) => responseHookMiddleware(h)),
    ];
    this.adoptExtensions(sub);
    sub.config.parent = this.config;
    const onError = sub.onScopedError;
    for (const r of sub.registered) {
      const handler = compose(scope, guard(r.handler as never, onError), onError) as Handler;
      this.router.add(r.methods as string | readonly string[], joinPath(prefix, r.path), { handler } as never);
      this.registered.push({ methods: r.methods, path: joinPath(prefix, r.path), handler });
    }
    return this;
  }

  /** Copy a mounted app's request extensions onto this app's Request class. */
  private adoptExtensions(sub: App): void {
    const mine = this.requestClass.prototype as object;
    const theirs = Object.getOwnPropertyDescriptors(sub.requestClass.prototype);
    for (const name of Object.keys(theirs)) {
      if (name === 'constructor') continue;
      const own = Object.getOwnPropertyDescriptor(mine, name);
      if (own !== undefined) {
        if (own.value === theirs[name]!.value && own.get === theirs[name]!.get) continue;
        throw new TypeError(`Cannot mount: both apps extend the request with ${JSON.stringify(name)}`);
      }
      Object.defineProperty(mine, name, theirs[name]!);
    }
  }

  /** Errors thrown inside a group's or a mounted app's middleware: this app's error handlers. */
  private readonly onScopedError = (req: Request, err: unknown): unknown => errorResult(this.config, req, err);

  /**
   * Handle errors of class `cls` (and its subclasses) thrown or rejected by handlers and hooks. The
   * handler of the nearest class in the error's prototype chain wins; its result is sent instead.
   * Without one, an `HttpError` answers its status and any other error a logged 500.
   */
  onError<E>(cls: ErrorClass<E>, handler: ErrorHandler<E, Ext>): this {
    this.config.errorHandlers.set(cls, handler as ErrorHandler<unknown>);
    return this;
  }

  /** Answer requests no route matches (default: 404 text `Not Found`). */
  notFound(handler: NotFoundHandler<Ext>): this {
    this.config.notFound = handler as NotFoundHandler;
    return this;
  }

  /** Answer requests whose path exists under other methods (default: 405 with `Allow`). */
  methodNotAllowed(handler: MethodNotAllowedHandler<Ext>): this {
    this.config.methodNotAllowed = handler as MethodNotAllowedHandler;
    return this;
  }

  /**
   * Run `hook` before each request's handler (after the app's middleware), also for requests no
   * route matches (then `req.route` is '' and the 404/405 answer follows); a result other than
   * `undefined` is sent instead (e.g. a 401). Apps without hooks pay nothing for this feature.
   */
  onRequest(hook: RequestHook<Ext>): this {
    this.config.requestHooks.push(hook as RequestHook);
    return this;
  }

  /**
   * Run `hook` once each response is known, before it is encoded (including 404s and errors). It may
   * change `res.headers` or return a replacement `Response`.
   */
  onResponse(hook: ResponseHook<Ext>): this {
    this.config.responseHooks.push(hook as ResponseHook);
    return this;
  }

  /**
   * Add a property or method to every request of this app (Japronto's `extend_request`), typed:
   *
   * ```ts
   * const app = new App()
   *   .extend('user', { get: (req) => lookUp(req.header('authorization')) })  // lazy, computed once per request
   *   .extend('greet', (req, name: string) => `Hello ${name} from ${req.path}`)   // a method
   * app.get('/', (req) => req.greet(req.user.name))
   * ```
   * Returns the same app with its type widened; use the returned value.
   */
  extend<K extends string, T>(name: K, ext: LazyExtension<T, Ext>): App<Ext & { readonly [P in K]: T }, Base>;
  extend<K extends string, A extends unknown[], R>(
    name: K,
    fn: MethodExtension<A, R, Ext>,
  ): App<Ext & { [P in K]: (...args: A) => R }, Base>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  extend(name: string, ext: any): any {
    if (typeof name !== 'string' || name === '' || RESERVED.has(name)) {
      throw new TypeError(`Cannot extend the request with ${JSON.stringify(name)}: the name is taken`);
    }
    const proto = this.requestClass.prototype as unknown as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(proto, name)) {
      throw new TypeError(`The request already has an extension named ${JSON.stringify(name)}`);
    }
    if (typeof ext === 'function') {
      const fn = ext as MethodExtension<unknown[], unknown>;
      Object.defineProperty(proto, name, {
        configurable: false,
        writable: false,
        value: function (this: Request, ...args: unknown[]) {
          return fn(this, ...args);
        },
      });
    } else if (ext !== null && typeof ext === 'object' && typeof (ext as LazyExtension<unknown>).get === 'function') {
      const get = (ext as LazyExtension<unknown>).get;
      Object.defineProperty(proto, name, {
        configurable: false,
        get(this: Request) {
          let cache = this.extCache;
          if (cache === null) this.extCache = cache = Object.create(null) as Record<string, unknown>;
          if (name in cache) return cache[name];
          const v = get(this);
          cache[name] = v;
          return v;
        },
      });
    } else {
      throw new TypeError('extend() expects a function (a method) or { get(req) } (a lazy property)');
    }
    return this;
  }

  /**
   * True once a graceful shutdown started (`close()` of the listening app, or SIGTERM/SIGINT):
   * what a readiness probe answers (see `readiness()`).
   */
  get shuttingDown(): boolean {
    return this.draining;
  }

  /** @internal a graceful shutdown started (called by `close()`) */
  markShuttingDown(): void {
    this.draining = true;
  }

  /**
   * The transport callbacks serving this app (for `@jato/native-loop`'s `createServer` or `inject`).
   * Each call creates an independent dispatcher.
   */
  handler(): ServerHandlers {
    const d = this.dispatcher();
    const handlers: ServerHandlers = { onBatch: d.onBatch, onConnectionClose: d.onConnectionClose, onBodyChunks: d.onBodyChunks };
    this.wsApps.wire(d, handlers, this.settings.limits?.highWaterMark);
    return handlers;
  }

  /**
   * The app as a Web-standard fetch handler: runs `request` through routing, middleware, hooks and
   * error handlers (and the body limits) and resolves to the `Response`, so the app runs on any fetch
   * runtime (`Bun.serve({ fetch: app.fetch })`, `Deno.serve(app.fetch)`, workers) or is tested with
   * plain `Request` objects. Bound: pass `app.fetch` around as it is. A streamed response body
   * streams; `request.signal` aborting is the client leaving (`req.signal` fires).
   */
  readonly fetch = (request: globalThis.Request): Promise<globalThis.Response> => appFetch(this as unknown as App, request);

  /**
   * `app.fetch` for a path or URL (Hono's `app.request`): `await app.request('/users/1')`,
   * `app.request('/items', { method: 'POST', body: JSON.stringify(item) })`. A path is resolved
   * against `http://localhost`.
   */
  request(input: string | URL | globalThis.Request, init?: RequestInit): Promise<globalThis.Response> {
    try {
      return this.fetch(toWebRequest(input, init));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** @internal a new dispatcher serving this app (what `listen()` hands to the transport). */
  dispatcher(): Dispatcher {
    return new Dispatcher(this.config);
  }

  /**
   * Start serving. With `workers > 1` (or 'auto') in the primary process, starts and supervises that
   * many worker processes sharing the port; each worker's `listen()` serves with `SO_REUSEPORT`.
   * Resolves once listening, to a handle with the address, port and `close()`.
   */
  listen(options: ListenOptions = {}): Promise<ListeningApp> {
    return listenApp(this, options);
  }
}
