import { delegateToReal } from './delegate-to-real.js';

/**
 * A lighter global `Response` for fetch handlers served by jato.
 *
 * Building a Web Response is expensive in Node (undici creates a ReadableStream for every body, and
 * checks and copies its init): tens of microseconds per response in Node 20, far more than jato
 * spends on a whole request. `serve()` therefore replaces `globalThis.Response` (unless
 * `overrideGlobalResponse: false`) by `LightResponse`, a subclass-shaped stand-in that keeps
 * `(body, init)` as given when the body is a string, bytes or null, and builds the runtime's real
 * Response only when something needs it (its body stream, `text()`, `clone()`, …). jato reads a
 * light response's status, headers and body directly; `instanceof Response` holds for light and real
 * responses alike; `Response.json()` is light too; `Response.error()`/`redirect()` give real ones.
 * Init values the runtime would reject (a status outside 200–599, a status text, a body on a null-body
 * status) are handed to the real constructor at once, so the same errors are thrown where they were.
 * @internal
 */

type Body = string | Uint8Array | null;
/** The Fetch API's HeadersInit and BodyInit (not global names in Node's types). */
export type WebHeadersInit = NonNullable<ConstructorParameters<typeof Headers>[0]>;
type WebBodyInit = ConstructorParameters<typeof globalThis.Response>[0];

const kBody = Symbol('jato.response.body');
const kInit = Symbol('jato.response.init');
const kReal = Symbol('jato.response.real');
const kHeaders = Symbol('jato.response.headers');

interface LightInit {
  status?: number;
  headers?: WebHeadersInit;
}

/** The parts of a light response that was never made real (what jato sends). */
export interface LightParts {
  status: number;
  /** The headers as given (any WebHeadersInit), or the Headers object made on first read. */
  headers: WebHeadersInit | undefined;
  body: Body;
}

let Original: typeof globalThis.Response | null = null;

function isNullBodyStatus(s: number): boolean {
  return s === 101 || s === 103 || s === 204 || s === 205 || s === 304;
}

/** The default content type the Fetch API gives a string body. */
const TEXT = 'text/plain;charset=UTF-8';

export class LightResponse {
  [kBody]: Body = null;
  [kInit]: LightInit | undefined = undefined;
  [kReal]: globalThis.Response | null = null;
  [kHeaders]: Headers | null = null;

  constructor(body?: WebBodyInit, init?: ResponseInit) {
    const O = Original!;
    let simple = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (simple && init !== undefined) {
      if (init === null || typeof init !== 'object') simple = false;
      else {
        const s = init.status;
        if (s !== undefined && !(Number.isInteger(s) && s >= 200 && s <= 599)) simple = false;
        else if (init.statusText !== undefined) simple = false;
        else if (s !== undefined && isNullBodyStatus(s) && body !== undefined && body !== null) simple = false;
      }
    }
    if (!simple) {
      this[kReal] = new O(body, init);
      return;
    }
    this[kBody] = body === undefined ? null : (body as Body);
    if (init !== undefined) this[kInit] = init as LightInit;
  }

  /** The runtime's Response for this one (made on first need). */
  private real(): globalThis.Response {
    let r = this[kReal];
    if (r === null) {
      const init = this[kInit];
      const h = this[kHeaders];
      r = this[kReal] = new Original!(this[kBody], {
        ...(init?.status !== undefined ? { status: init.status } : {}),
        ...(h !== null ? { headers: h } : init?.headers !== undefined ? { headers: init.headers } : {}),
      });
    }
    return r;
  }

  get status(): number {
    const r = this[kReal];
    return r !== null ? r.status : (this[kInit]?.status ?? 200);
  }

  get ok(): boolean {
    const s = this.status;
    return s >= 200 && s <= 299;
  }

  get statusText(): string {
    const r = this[kReal];
    return r !== null ? r.statusText : '';
  }

  /** The headers (a `Headers` made on first read, with the body's default content type). */
  get headers(): Headers {
    const r = this[kReal];
    if (r !== null) return r.headers;
    let h = this[kHeaders];
    if (h === null) {
      h = this[kHeaders] = new Headers(this[kInit]?.headers);
      if (typeof this[kBody] === 'string' && !h.has('content-type')) h.set('content-type', TEXT);
    }
    return h;
  }

  get bodyUsed(): boolean {
    const r = this[kReal];
    return r !== null && r.bodyUsed;
  }

  get type(): globalThis.Response['type'] {
    const r = this[kReal];
    return r !== null ? r.type : 'default';
  }

  get url(): string {
    const r = this[kReal];
    return r !== null ? r.url : '';
  }

  get redirected(): boolean {
    const r = this[kReal];
    return r !== null && r.redirected;
  }

  /** A JSON response, light (as `Response.json`). */
  static json(data: unknown, init?: ResponseInit): globalThis.Response {
    const text = JSON.stringify(data);
    if (text === undefined) return Original!.json(data, init); // throws the runtime's TypeError
    const headers = new Headers(init?.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new LightResponse(text, { ...init, headers }) as unknown as globalThis.Response;
  }

  static error(): globalThis.Response {
    return Original!.error();
  }

  static redirect(url: string | URL, status?: number): globalThis.Response {
    return Original!.redirect(url, (status ?? 302) as 302);
  }

  static [Symbol.hasInstance](v: unknown): boolean {
    return v !== null && typeof v === 'object' && Original!.prototype.isPrototypeOf(v);
  }

  /** @internal the parts to send when this response was never made real, else null. */
  static partsOf(v: object): LightParts | null {
    if (!(kReal in v)) return null;
    const res = v as LightResponse;
    if (res[kReal] !== null) return null;
    const h = res[kHeaders];
    const body = res[kBody];
    let headers: WebHeadersInit | undefined = h ?? res[kInit]?.headers;
    if (h === null && typeof body === 'string') headers = withDefaultType(headers);
    return { status: res[kInit]?.status ?? 200, headers, body };
  }

  /** @internal the real Response (for the delegating members). */
  static realOf(v: LightResponse): globalThis.Response {
    return v.real();
  }
}

/** `headers` with the string body's default content type added when it has none. */
function withDefaultType(headers: WebHeadersInit | undefined): WebHeadersInit {
  if (headers === undefined) return [['content-type', TEXT]];
  if (headers instanceof Headers) {
    if (headers.has('content-type')) return headers;
  } else if (Array.isArray(headers)) {
    for (const [n] of headers as Array<[string, string]>) if (n.toLowerCase() === 'content-type') return headers;
    return [...(headers as Array<[string, string]>), ['content-type', TEXT]];
  } else {
    for (const n in headers as Record<string, string>) if (n.toLowerCase() === 'content-type') return headers;
  }
  const h = new Headers(headers);
  h.set('content-type', TEXT);
  return h;
}


/**
 * Replace `globalThis.Response` by `LightResponse` (once). Its prototype chain leads to the runtime's
 * `Response.prototype`; every member it does not define is answered by the real Response.
 * @internal
 */
export function installLightResponse(): void {
  if (Original !== null) return;
  // Bun's and Deno's servers take only their own Responses (which they build cheaply): Node only
  if (typeof process === 'undefined' || process.versions.bun !== undefined || process.versions.deno !== undefined) return;
  if ((globalThis as { Deno?: unknown }).Deno !== undefined) return;
  const O = globalThis.Response;
  Original = O;
  delegateToReal(LightResponse.prototype, O.prototype, (r) => LightResponse.realOf(r));
  Object.defineProperty(LightResponse.prototype, Symbol.toStringTag, { value: 'Response', configurable: true });
  Object.defineProperty(globalThis, 'Response', { value: LightResponse, writable: true, configurable: true, enumerable: false });
}

/** The runtime's own Response class (what jato builds where a real one is needed, e.g. `app.fetch`). @internal */
export function runtimeResponse(): typeof globalThis.Response {
  return Original ?? globalThis.Response;
}

/** Whether the global Response is jato's light one. @internal */
export function lightResponseInstalled(): boolean {
  return Original !== null;
}
