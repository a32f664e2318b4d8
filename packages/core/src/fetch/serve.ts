import { App } from '../app/app.js';
import type { AppOptions, ListenOptions, ListeningApp } from '../app/options.js';
import { consoleLogger, silentLogger, type Logger } from '../logger.js';
import { WaitUntilSet } from './fetch-context.js';
import { fetchAdapter, type FetchHandler } from './fetch-handler.js';
import { installRequestPrototype } from './lazy-request.js';
import { installLightResponse } from './light-response.js';

/** Options of `serve()`: the fetch handler, where to listen, and the same options as an `App`. */
export interface ServeOptions extends AppOptions, Omit<ListenOptions, 'port'> {
  /** The Web-standard handler (`honoApp.fetch`, or any object with a `fetch` method passed as options). */
  fetch: FetchHandler;
  /** TCP port (3000, as `@hono/node-server`); 0 picks a free one; a string of digits is accepted. */
  port?: number | string;
  /** Interface to bind (`@hono/node-server`'s name for `host`). */
  hostname?: string;
  /**
   * Replace `globalThis.Response` by jato's lighter one (true): Responses built from a string, bytes
   * or null keep their parts and become the runtime's Response only when something reads their body
   * stream or clones them, which makes building and sending them several times cheaper. They behave
   * as Responses (`instanceof Response` included); set false to keep the runtime's class untouched.
   */
  overrideGlobalResponse?: boolean;
}

/** Where a server listens (what the `serve()` callback gets, as from `@hono/node-server`). */
export interface ServeInfo {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

/** A fetch handler being served. */
export interface FetchServer {
  /** Resolves once listening (rejects when it cannot listen, e.g. EADDRINUSE). */
  readonly ready: Promise<ListeningApp>;
  /**
   * Stop accepting, let in-flight requests and `waitUntil` work finish (until `deadlineMs`, default
   * 10 s), close. Calls `callback` (the `node:http` style) when done, if given.
   */
  close(deadlineMs?: number | ((err?: Error) => void)): Promise<void>;
}

/**
 * Serve a Web-standard fetch handler on jato's transport (native when available), with the limits,
 * timeouts, workers and graceful close of `App.listen`:
 *
 * ```ts
 * import { Hono } from 'hono'
 * import { serve } from 'jato'   // instead of '@hono/node-server'
 * const app = new Hono()
 * app.get('/', (c) => c.text('Hello Hono!'))
 * serve({ fetch: app.fetch, port: 3000 }, (info) => console.log(`http://localhost:${info.port}`))
 * ```
 *
 * The handler gets a lazy `Request` (url, headers, body and signal are built on first read; the
 * body is a `ReadableStream`; `signal` aborts when the client leaves) and `(env, ctx)` as described
 * by `FetchEnv`. Bodies of Responses built from a string or bytes (`c.text`, `c.json`,
 * `Response.json`) are sent without reading their stream; other bodies are streamed with
 * backpressure. Bodies up to `limits.maxBodyBytes` (1 MiB) arrive whole; set
 * `limits.maxStreamBodyBytes` to accept larger ones, streamed with backpressure (both transports).
 * A thrown error or rejected promise is a logged 500; a Response that cannot be sent too.
 */
export function serve(options: ServeOptions, listening?: (info: ServeInfo) => void): FetchServer {
  const fetch = (options as { fetch?: unknown }).fetch;
  if (typeof fetch !== 'function') throw new TypeError('serve() needs a fetch handler: serve({ fetch: app.fetch })');
  installRequestPrototype();
  if (options.overrideGlobalResponse !== false) installLightResponse();
  const { fetch: _f, port, hostname, host, workers, reusePort, handleSignals, overrideGlobalResponse: _o, ...appOptions } = options;
  const app = new App(appOptions);
  const logger: Logger = options.logger === false ? silentLogger : (options.logger ?? consoleLogger);
  const waiting = new WaitUntilSet((err) => {
    try {
      logger.error({ err }, 'jato: a waitUntil promise rejected');
    } catch {
      /* a broken logger does not stop the server */
    }
  });
  const handler = fetchAdapter(fetch as FetchHandler, waiting);
  const streamLimit = options.limits?.maxStreamBodyBytes ?? 0;
  // Whole bodies: every request is a router miss answered by the fetch handler (no params to build).
  // Streamed bodies are opened for a matched route only: then one catch-all route with the limit.
  if (streamLimit > app.config.maxBodyBytes) app.all('/*', handler, { bodyLimit: streamLimit });
  else app.notFound(handler);
  const listenOptions: ListenOptions = {
    port: port ?? 3000,
    ...((hostname ?? host) !== undefined ? { host: hostname ?? host } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(reusePort !== undefined ? { reusePort } : {}),
    ...(handleSignals !== undefined ? { handleSignals } : {}),
  };
  const ready = app.listen(listenOptions);
  if (listening !== undefined) {
    void ready.then((h) => listening({ address: h.address, family: h.address.includes(':') ? 'IPv6' : 'IPv4', port: h.port }), () => {});
  }
  const close = async (deadline?: number | ((err?: Error) => void)): Promise<void> => {
    const deadlineMs = typeof deadline === 'number' ? deadline : undefined;
    const callback = typeof deadline === 'function' ? deadline : undefined;
    try {
      const h = await ready;
      await h.close(deadlineMs);
      if (waiting.size > 0) await withDeadline(waiting.settled(), deadlineMs ?? 10_000);
      callback?.();
    } catch (err) {
      if (callback === undefined) throw err;
      callback(err as Error);
    }
  };
  return { ready, close };
}

function withDeadline(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
