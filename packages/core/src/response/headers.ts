/** What a `Response` accepts as headers: a record (array values repeat the header), pairs, or `Headers`. */
export type HeadersInit =
  | Record<string, string | number | readonly string[] | undefined>
  | ReadonlyArray<readonly [string, string]>
  | ResponseHeaders
  | { forEach(cb: (value: string, name: string) => void): void };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// field-value as jato sends it: visible ASCII, SP and HTAB. Never CR, LF or NUL (no response
// splitting), and no obs-text (bytes 0x80-0xFF): a head is ASCII, so it is the same bytes whether
// the body is a string (written as UTF-8) or bytes (the head written as latin1).
const FIELD_VALUE = /^[\t\x20-\x7E]*$/;

/** True when `name` is a valid header field name (an RFC 9110 token). No allocation. */
export function isHeaderName(name: unknown): name is string {
  return typeof name === 'string' && TOKEN.test(name);
}

/**
 * True when `value` can be sent as a header field value (or reason phrase): visible ASCII, SP and
 * HTAB only. No allocation.
 */
export function isHeaderValue(value: unknown): value is string {
  return typeof value === 'string' && FIELD_VALUE.test(value);
}

/** Throws a TypeError unless `name` is a valid header field name (an RFC 9110 token). */
export function checkHeaderName(name: string): string {
  if (!isHeaderName(name)) throw new TypeError(`Invalid header name: ${safeJson(name)}`);
  return name;
}

/**
 * Throws a TypeError unless `value` is a valid header field value; returns it trimmed.
 * jato sends header values as ASCII: control characters (CR, LF, NUL…) and any character above
 * U+007E (also latin1 ones like `é`) are rejected, whatever the body is; percent-encode such text
 * (`encodeURIComponent`) or use RFC 8187 (`filename*=UTF-8''…`).
 */
export function checkHeaderValue(name: string, value: string): string {
  if (!isHeaderValue(value)) {
    throw new TypeError(
      `Invalid value for header ${safeJson(name)}: only visible ASCII, space and tab are allowed (no control characters, no non-ASCII text)`,
    );
  }
  return value.trim();
}

function safeJson(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v) : typeof v;
  } catch {
    return typeof v;
  }
}

/**
 * Multi-valued, case-insensitive response headers. Names keep the case they were given on the wire;
 * `append` adds another line with the same name (e.g. several `Set-Cookie`). Every name and value is
 * checked when added (`checkHeaderName`/`checkHeaderValue`: a TypeError otherwise) and again when the
 * head is written; the lines are held in private fields that plain JS cannot reach.
 */
export class ResponseHeaders {
  /** Names as given, lowercased names and values, in insertion order. */
  readonly #names: string[] = [];
  readonly #keys: string[] = [];
  readonly #values: string[] = [];

  constructor(init?: HeadersInit) {
    if (init !== undefined) this.fill(init);
  }

  /** Add a header line, keeping earlier lines of the same name. */
  append(name: string, value: string | number): this {
    checkHeaderName(name);
    this.#names.push(name);
    this.#keys.push(name.toLowerCase());
    this.#values.push(checkHeaderValue(name, String(value)));
    return this;
  }

  /** Replace every line of `name` with one line. */
  set(name: string, value: string | number): this {
    this.delete(name);
    return this.append(name, value);
  }

  /** The values of `name` joined with `, ` (for `Set-Cookie` use `getSetCookie()`/`getAll`: cookies must not be joined). */
  get(name: string): string | null {
    const key = name.toLowerCase();
    let out: string | null = null;
    for (let i = 0; i < this.#keys.length; i++) {
      if (this.#keys[i] === key) out = out === null ? this.#values[i]! : `${out}, ${this.#values[i]!}`;
    }
    return out;
  }

  /** Every value of `name`, one per line, in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.#keys.length; i++) if (this.#keys[i] === key) out.push(this.#values[i]!);
    return out;
  }

  /** The `Set-Cookie` lines (as the Fetch API names it). */
  getSetCookie(): string[] {
    return this.getAll('set-cookie');
  }

  /** Whether a line of `name` exists (case-insensitive). */
  has(name: string): boolean {
    return this.#keys.includes(name.toLowerCase());
  }

  /** Remove every line of `name` (case-insensitive). */
  delete(name: string): void {
    const key = name.toLowerCase();
    for (let i = this.#keys.length - 1; i >= 0; i--) {
      if (this.#keys[i] === key) {
        this.#names.splice(i, 1);
        this.#keys.splice(i, 1);
        this.#values.splice(i, 1);
      }
    }
  }

  /** Number of header lines. */
  get size(): number {
    return this.#keys.length;
  }

  /** Header lines as [name as given, value], in order. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.#names.length; i++) yield [this.#names[i]!, this.#values[i]!];
  }

  /** Same as `entries()`. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Call `cb(value, name)` for each line, in order (the Fetch `Headers` argument order). */
  forEach(cb: (value: string, name: string) => void): void {
    for (let i = 0; i < this.#names.length; i++) cb(this.#values[i]!, this.#names[i]!);
  }

  /** @internal name as given of line i */
  nameAt(i: number): string {
    return this.#names[i]!;
  }
  /** @internal lowercased name of line i */
  keyAt(i: number): string {
    return this.#keys[i]!;
  }
  /** @internal value of line i */
  valueAt(i: number): string {
    return this.#values[i]!;
  }

  private fill(init: HeadersInit): void {
    if (init instanceof ResponseHeaders) {
      for (let i = 0; i < init.size; i++) this.append(init.nameAt(i), init.valueAt(i));
    } else if (Array.isArray(init)) {
      for (const pair of init as ReadonlyArray<readonly [string, string]>) this.append(pair[0], pair[1]);
    } else if (typeof (init as { forEach?: unknown }).forEach === 'function') {
      (init as { forEach(cb: (value: string, name: string) => void): void }).forEach((v, n) => this.append(n, v));
    } else {
      for (const [name, value] of Object.entries(init as Record<string, string | number | readonly string[] | undefined>)) {
        if (value === undefined) continue;
        if (Array.isArray(value)) for (const v of value as readonly string[]) this.append(name, v);
        else this.append(name, value as string | number);
      }
    }
  }
}
