import { AsyncLocalStorage } from 'node:async_hooks';
import { enterer } from './enter-context.js';
import { SET_IF_ABSENT, fastMiddleware, recordHeader } from '../middleware/fast-step.js';
import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import type { Request } from '../request/request.js';
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
  /**
   * Make a new id. The default is unique without a random source per request: a random prefix made
   * once per process and a counter (`k3J9xq2LwB0e-1`, `k3J9xq2LwB0e-2`, …); ids are not secrets.
   */
  generate?: () => string;
  /**
   * Run the rest of the chain inside an `AsyncLocalStorage` context that `requestContext()` and
   * `currentRequestId()` read (true). False: only the id and its header, at no context cost.
   */
  context?: boolean;
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
 * context that `requestContext()` and `currentRequestId()` read anywhere below it (unless
 * `context: false`). Sync requests cost no promise and no closure; the context costs one
 * `AsyncLocalStorage.run` per request.
 */
export function requestId(options: RequestIdOptions = {}): Middleware {
  const header = checkHeaderName(options.header ?? 'X-Request-Id');
  const key = header.toLowerCase();
  const linePrefix = `${header}: `;
  const trust = options.trustIncoming !== false;
  const custom = options.generate;
  const counter = custom === undefined ? new CounterIds(linePrefix) : null;
  const als = options.context === false ? null : (storage ??= new AsyncLocalStorage<RequestContext>());
  const enter = als === null ? null! : enterer(als);
  return fastMiddleware((outermost) => (req, rest) => {
    const incoming = trust ? req.headerLower(key) : undefined;
    let id: string;
    let generated = false;
    if (incoming !== undefined && SAFE_ID.test(incoming)) id = incoming;
    else if (counter !== null) {
      id = counter.next();
      generated = true;
    } else {
      id = custom!();
      if (!isHeaderValue(id)) throw new TypeError(`requestId: generate() returned an invalid header value`);
    }
    // the line of a generated id is taken now: what runs below may generate ids with this counter
    const line = outermost && generated ? counter!.line(id) : '';
    const result = als === null ? rest(req) : enter(new Context(id, req), rest, req);
    if (outermost) {
      recordHeader(req, SET_IF_ABSENT, header, key, id, generated ? line : linePrefix + id + '\r\n');
      return result;
    }
    return mapResponse(result, (res) => {
      if (!res.headers.has(key)) res.headers.set(header, id);
    });
  });
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** '000'…'999', and the same followed by CRLF (made by the first counter). */
let LOW: readonly string[] = [];
let LOW_CRLF: readonly string[] = [];

/**
 * Unique ids: a random 12-character prefix (71 bits) made once, then `-` and a counter. The counter's
 * last three digits come from a table and the rest is rebuilt once per thousand ids, so an id costs
 * no number-to-string conversion (whose cache keeps every new string alive) and its header line
 * (`lineStart + id + CRLF`) is one concatenation: `line()` gives the line of the last id.
 */
class CounterIds {
  private n = 0;
  private block = '';
  private lineBlock = '';
  private low = 0;
  private readonly prefix: string;

  constructor(private readonly lineStart: string) {
    if (LOW.length === 0) {
      LOW = Array.from({ length: 1000 }, (_, k) => String(k).padStart(3, '0'));
      LOW_CRLF = LOW.map((d) => `${d}\r\n`);
    }
    const bytes = new Uint8Array(12);
    globalThis.crypto.getRandomValues(bytes);
    let prefix = '';
    for (const b of bytes) prefix += ID_ALPHABET[b % ID_ALPHABET.length];
    this.prefix = `${prefix}-`;
  }

  next(): string {
    const n = ++this.n;
    if (n < 1000) return this.prefix + n;
    const low = n % 1000;
    if (low === 0 || this.block === '') {
      // once per thousand ids: flat strings (join), so each id and line is one concatenation
      this.block = [this.prefix, String((n - low) / 1000)].join('');
      this.lineBlock = [this.lineStart, this.block].join('');
    }
    this.low = low;
    return this.block + LOW[low]!;
  }

  /** The header line of the id `next()` returned last. */
  line(id: string): string {
    return this.n < 1000 ? `${this.lineStart}${id}\r\n` : this.lineBlock + LOW_CRLF[this.low]!;
  }
}
