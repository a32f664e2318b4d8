import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import type { Request } from '../request/request.js';

/** What `requestContext()` holds for the request being handled. */
export interface RequestContext {
  /** The request id (from the incoming header, or generated). */
  readonly id: string;
  /** The request. */
  readonly req: Request;
  /** Anything you want to carry along the call (user, tenant, …). */
  readonly values: Map<string, unknown>;
}

// made by the first requestId(): an app that never uses it never creates an AsyncLocalStorage
let storage: AsyncLocalStorage<RequestContext> | null = null;

/**
 * The context of the request being handled, in the handler and anything it calls (sync or async,
 * through awaits, timers and promise chains), or undefined outside a request or without the
 * `requestId()` middleware.
 */
export function requestContext(): RequestContext | undefined {
  return storage?.getStore();
}

/** The id of the request being handled (see `requestContext()`), or undefined. */
export function currentRequestId(): string | undefined {
  return storage?.getStore()?.id;
}

/** Options of `requestId()`. */
export interface RequestIdOptions {
  /** The header read and echoed ('X-Request-Id'). */
  header?: string;
  /** Use an incoming id (true). Ids longer than 200 characters or outside `[A-Za-z0-9._:@/+=-]` are replaced. */
  trustIncoming?: boolean;
  /** Make a new id (`crypto.randomUUID`). */
  generate?: () => string;
}

/** A request's context; `values` is made on first use. */
class Context implements RequestContext {
  private map: Map<string, unknown> | null = null;
  constructor(
    readonly id: string,
    readonly req: Request,
  ) {}
  get values(): Map<string, unknown> {
    return (this.map ??= new Map());
  }
}

const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

/**
 * Request ids and an `AsyncLocalStorage` context: each request gets the id of its `X-Request-Id`
 * header (when valid) or a new one, echoed on the response, and runs the rest of the chain inside a
 * context that `requestContext()` and `currentRequestId()` read anywhere below it.
 */
export function requestId(options: RequestIdOptions = {}): Middleware {
  const header = options.header ?? 'X-Request-Id';
  const key = header.toLowerCase();
  const trust = options.trustIncoming !== false;
  const generate = options.generate ?? randomUUID;
  const als = (storage ??= new AsyncLocalStorage<RequestContext>());
  return (req, next) => {
    const incoming = trust ? req.header(key) : undefined;
    const id = incoming !== undefined && SAFE_ID.test(incoming) ? incoming : generate();
    const ctx = new Context(id, req);
    return mapResponse(als.run(ctx, next), (res) => {
      if (!res.headers.has(key)) res.headers.set(header, id);
    });
  };
}
