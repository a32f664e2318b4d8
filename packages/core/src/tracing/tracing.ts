import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import type { Request } from '../request/request.js';

/*
 * The part of `@opentelemetry/api` (1.x) tracing() uses, typed structurally so that this package
 * neither depends on it nor loads it: pass the module you installed (`import * as otel from
 * '@opentelemetry/api'`).
 */

/** An OpenTelemetry context (immutable key/value store). */
export interface OtelContext {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): OtelContext;
  deleteValue(key: symbol): OtelContext;
}

/** The span methods tracing() calls. */
export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  updateName(name: string): unknown;
  end(): void;
}

/** The `@opentelemetry/api` surface tracing() needs (the module object satisfies it). */
export interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): {
      startSpan(name: string, options: { kind: number; attributes: Record<string, string | number> }, context: OtelContext): OtelSpan;
    };
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
  };
  context: {
    active(): OtelContext;
    with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: OtelContext, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F>;
  };
  propagation: {
    extract(context: OtelContext, carrier: Request, getter: { keys(c: Request): string[]; get(c: Request, key: string): string | undefined }): OtelContext;
  };
}

/** Options of `tracing()`. */
export interface TracingOptions {
  /** The `@opentelemetry/api` module. */
  api: OtelApi;
  /** The tracer name ('jato'). */
  tracerName?: string;
}

const SPAN_KIND_SERVER = 1;
const STATUS_ERROR = 2;

const getter = {
  keys: (req: Request): string[] => Object.keys(req.headers),
  get: (req: Request, key: string): string | undefined => req.header(key),
};

/**
 * OpenTelemetry spans as middleware: one SERVER span per request, named `METHOD route-pattern`
 * (`GET /users/:id`; `GET` alone when no route matched), child of the W3C `traceparent` the request
 * carries (through the globally registered propagator), with the HTTP semantic-convention attributes
 * and status; 5xx responses set the span status to ERROR. The rest of the chain runs in the span's
 * context, so spans started by the handler (and by anything it calls, with a context manager
 * registered) are its children. Nothing is loaded or paid for unless you register it:
 *
 * ```ts
 * import * as otel from '@opentelemetry/api'
 * app.use(tracing({ api: otel }))
 * ```
 */
export function tracing(options: TracingOptions): Middleware {
  const api = options.api;
  if (api === null || typeof api !== 'object' || typeof api.trace?.getTracer !== 'function') {
    throw new TypeError('tracing() expects { api } with the @opentelemetry/api module');
  }
  const tracer = api.trace.getTracer(options.tracerName ?? 'jato');
  return (req, next) => {
    const parent = api.propagation.extract(api.context.active(), req, getter);
    const name = req.route === '' ? req.method : `${req.method} ${req.route}`;
    const attributes: Record<string, string | number> = { 'http.request.method': req.method, 'url.path': req.path };
    if (req.route !== '') attributes['http.route'] = req.route;
    const span = tracer.startSpan(name, { kind: SPAN_KIND_SERVER, attributes }, parent);
    const ctx = api.trace.setSpan(parent, span);
    let result: unknown;
    try {
      result = api.context.with(ctx, next);
    } catch (err) {
      span.setStatus({ code: STATUS_ERROR });
      span.end();
      throw err;
    }
    return mapResponse(result, (res) => {
      span.setAttribute('http.response.status_code', res.status);
      if (res.status >= 500) span.setStatus({ code: STATUS_ERROR });
      span.end();
    });
  };
}
