import { AsyncLocalStorage } from 'node:async_hooks';
import { enterer } from './enter-context.js';
import { NUMBERED, type NumberedLine, SET_IF_ABSENT, fastMiddleware, recordHeader, recordedValue } from '../middleware/fast-step.js';
import { withAbsentPlan } from '../middleware/lead-plan.js';
import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import type { Request } from '../request/request.js';
import type { Response } from '../response/response.js';
import { checkHeaderName, isHeaderValue } from '../response/headers.js';

/** What `requestContext()` holds for the request being handled. */
export interface RequestContext {
  /** The request id (from the incoming header, or generated). */
  readonly id: string;
  /** The request. */
  readonly req: Request;
  /** Anything you want to carry along the call (user, tenant, …). */
  readonly values: Map<string, unknown>;
}

// made by the first requestId({ context: true }): an app that never asks for it never creates an AsyncLocalStorage
let storage: AsyncLocalStorage<RequestContext> | null = null;

/**
 * The context of the request being handled, in the handler and anything it calls (sync or async,
 * through awaits, timers and promise chains), or undefined outside a request or without the
 * `requestId({ context: true })` middleware.
 */
export function requestContext(): RequestContext | undefined {
  return storage?.getStore();
}

/** The id of the request being handled (see `requestContext()`; `requestId({ context: true })`), or undefined. */
export function currentRequestId(): string | undefined {
  return storage?.getStore()?.id;
}

/** Lower-case names of the headers `requestId()` middlewares echo (usually only `x-request-id`). */
const idKeys: string[] = [];

/**
 * The id `requestId()` gave `req`, or undefined: the one it recorded for the response when only
 * jato's own middleware runs outside it (as in `app.use(requestId(), accessLog(logger))`), else the
 * request context's (`requestId({ context: true })`). Costs nothing unless called.
 */
export function requestIdOf(req: Request): string | undefined {
  const ops = req.resOps;
  if (ops !== null && idKeys.length !== 0) {
    const end = (ops[0] as number) + 1;
    for (let k = 1; k < end; k += 5) if (idKeys.includes(ops[k + 2] as string)) return recordedValue(ops, k);
  }
  const ctx = storage?.getStore();
  return ctx !== undefined && ctx.req === req ? ctx.id : undefined;
}

/** Options of `requestId()`. */
export interface RequestIdOptions {
  /** The header read and echoed ('X-Request-Id'). */
  header?: string;
  /** Use an incoming id (true). Ids longer than 200 characters or outside `[A-Za-z0-9._:@/+=-]` are replaced. */
  trustIncoming?: boolean;
  /**
   * Make a new id. The default is unique without a random source per request: a random prefix made
   * once per process and a counter (`k3J9xq2LwB0e-1`, `k3J9xq2LwB0e-2`, …); ids are not secrets.
   */
  generate?: () => string;
  /**
   * Run the rest of the chain inside an `AsyncLocalStorage` context that `requestContext()` and
   * `currentRequestId()` read (false: only the id and its header). Opt in: on Node 20/22 an enabled
   * `AsyncLocalStorage` installs promise hooks that tax every promise of the process (an async
   * handler's request costs ~1.8x the CPU with it), and it costs an enter per request.
   */
  context?: boolean;
}

/**
 * A request's context; `values` is made on first use, and the id of a counter-made one when read
 * (a context holds the counter and its number, so a request costs no id string unless it is read).
 */
class Context implements RequestContext {
  private map: Map<string, unknown> | null = null;
  private text: string | null;
  constructor(
    id: string | null,
    private readonly counter: CounterIds | null,
    private readonly n: number,
    readonly req: Request,
  ) {
    this.text = id;
  }
  get id(): string {
    return (this.text ??= this.counter!.value(this.n));
  }
  get values(): Map<string, unknown> {
    return (this.map ??= new Map());
  }
}

const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

/**
 * Request ids and, opted in, an `AsyncLocalStorage` context: each request gets the id of its
 * `X-Request-Id` header (when valid) or a new one, echoed on the response; with `context: true` it
 * runs the rest of the chain inside a context that `requestContext()` and `currentRequestId()` read
 * anywhere below it. Sync requests cost no promise and no closure; a generated id costs no string
 * unless something reads it (the transport writes its digits); the context costs one enter per
 * request, and its storage a promise hook per promise of the process.
 */
export function requestId(options: RequestIdOptions = {}): Middleware {
  const header = checkHeaderName(options.header ?? 'X-Request-Id');
  const key = header.toLowerCase();
  if (!idKeys.includes(key)) idKeys.push(key);
  const linePrefix = `${header}: `;
  const trust = options.trustIncoming !== false;
  const custom = options.generate;
  const counter = custom === undefined ? new CounterIds(linePrefix) : null;
  const als = options.context === true ? (storage ??= new AsyncLocalStorage<RequestContext>()) : null;
  const enter = als === null ? null! : enterer(als);
  const mw = fastMiddleware((outermost) => (req, rest) => {
    const incoming = trust ? req.headerLower(key) : undefined;
    let id: string | null = null;
    let n = 0;
    if (incoming !== undefined && SAFE_ID.test(incoming)) id = incoming;
    else if (counter !== null) n = counter.next();
    else {
      id = custom!();
      if (!isHeaderValue(id)) throw new TypeError(`requestId: generate() returned an invalid header value`);
    }
    // a generated id is its number until read: what runs below may generate more with this counter
    if (outermost) {
      // recorded before the chain runs, so requestIdOf(req) reads it there (a generated id is its number)
      if (id === null) recordHeader(req, SET_IF_ABSENT | NUMBERED, header, key, n, counter!);
      else recordHeader(req, SET_IF_ABSENT, header, key, id, linePrefix + id + '\r\n');
      return als === null ? rest(req) : enter(new Context(id, counter, n, req), rest, req);
    }
    const result = als === null ? rest(req) : enter(new Context(id, counter, n, req), rest, req);
    return mapResponse(result, setId(header, key, id ?? counter!.value(n)));
  });
  // without the header (or not trusting it): the counter's next number recorded before the rest of
  // the chain, nothing else (a custom generate() may throw, a context is entered: no plan then)
  if (counter === null || als !== null) return mw;
  return withAbsentPlan(mw, {
    key: trust ? key : null,
    after: false,
    records: [{ op: SET_IF_ABSENT | NUMBERED, name: header, key, value: '', line: counter }],
  });
}

/** Sets the id header on a Response that has none (outside the step: a closure there costs every call a context). */
function setId(header: string, key: string, value: string): (res: Response) => void {
  return (res) => {
    if (!res.headers.has(key)) res.headers.set(header, value);
  };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Unique ids: a random 12-character prefix (71 bits) made once, then `-` and a counter. An id is its
 * number until its text is needed (`value(n)`); its header line is `start` followed by the digits of
 * the number, which a transport writes without a string (see `NumberedLine`). `start` is made of a
 * checked header name and the alphabet above: valid by construction.
 */
class CounterIds implements NumberedLine {
  private n = 0;
  private readonly prefix: string;
  readonly start: string;

  constructor(lineStart: string) {
    const bytes = new Uint8Array(12);
    globalThis.crypto.getRandomValues(bytes);
    let prefix = '';
    for (const b of bytes) prefix += ID_ALPHABET[b % ID_ALPHABET.length];
    this.prefix = `${prefix}-`;
    // flat strings, made once
    this.start = [lineStart, this.prefix].join('');
  }

  /** The next id's number. */
  next(): number {
    return ++this.n;
  }

  /** The id of number `n`. */
  value(n: number): string {
    return `${this.prefix}${n}`;
  }
}
