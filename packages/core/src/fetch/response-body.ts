/**
 * Reading the body of a Web `Response` built from a string or bytes without going through its
 * stream.
 *
 * The Fetch API offers no synchronous way to read a body: `arrayBuffer()` / `text()` go through the
 * body's ReadableStream and a promise. Node's Response (undici) keeps the value a body was built from
 * next to the stream, in an internal state object under an own `Symbol(state)` key in Node 20 and 22;
 * Node 24's undici keeps it in a private field that cannot be read. So the fast read is
 * feature-detected once, by probing Responses whose bodies are known (a string, bytes and
 * `Response.json()`): only when every probe reads back exactly what it was built from is the fast
 * path used; otherwise (another runtime or undici version) every body is read with `arrayBuffer()`.
 * @internal
 */

/** How bodies are read: 'source' (the value the body was built from) or 'stream' (through its ReadableStream). */
export type BodyReadMode = 'source' | 'stream';

interface BodyState {
  body?: { source?: unknown; length?: unknown } | null;
}

let detected: symbol | null | undefined;
let forced: BodyReadMode | null = null;

/** The key of undici's state object when the fast read works here, else null (probed once). */
function stateKey(): symbol | null {
  if (detected !== undefined) return detected;
  detected = null;
  try {
    const text = new Response('jato-probe\u00e9');
    const key = Reflect.ownKeys(text).find((k) => typeof k === 'symbol' && k.description === 'state');
    if (typeof key !== 'symbol') return null;
    const bytes = new Uint8Array([1, 2, 3]);
    const bin = new Response(bytes);
    const json = Response.json({ a: 1 });
    const s1 = (text as unknown as Record<symbol, BodyState>)[key]?.body;
    const s2 = (bin as unknown as Record<symbol, BodyState>)[key]?.body;
    const s3 = (json as unknown as Record<symbol, BodyState>)[key]?.body;
    const binSource = s2?.source;
    const jsonSource = s3?.source;
    if (
      s1?.source === 'jato-probe\u00e9' && s1.length === 12 &&
      binSource instanceof Uint8Array && binSource.length === 3 && binSource[2] === 3 && s2!.length === 3 &&
      (jsonSource === '{"a":1}' || (jsonSource instanceof Uint8Array && Buffer.from(jsonSource).toString() === '{"a":1}')) &&
      s3!.length === 7 &&
      (new Response(null) as unknown as Record<symbol, BodyState>)[key]?.body == null
    ) {
      detected = key;
    }
  } catch {
    detected = null;
  }
  return detected;
}

/** The way bodies are read in this runtime ('source' when the fast read was detected). */
export function bodyReadMode(): BodyReadMode {
  if (forced !== null) return forced;
  return stateKey() === null ? 'stream' : 'source';
}

/** @internal tests: force a mode (null: detect). 'source' where it was not detected stays 'stream'. */
export function forceBodyReadMode(mode: BodyReadMode | null): void {
  forced = mode;
}

/**
 * The body of `res` when it can be read at once: a string (sent as UTF-8), bytes, or null for no
 * body; `undefined` when it cannot (a stream, a Blob, FormData, a used body, or the fast read is not
 * available here): then stream `res.body`.
 */
export function bodySource(res: globalThis.Response): string | Uint8Array | null | undefined {
  if (forced === 'stream') return undefined;
  const key = stateKey();
  if (key === null) return undefined;
  const state = (res as unknown as Record<symbol, BodyState | undefined>)[key];
  if (state === undefined) return undefined; // not a Response of this runtime (a subclass or look-alike)
  const body = state.body;
  if (body === null || body === undefined) return res.body === null ? null : undefined;
  if (res.bodyUsed) return undefined;
  const source = body.source;
  if (typeof source === 'string' || source instanceof Uint8Array) return source;
  return undefined;
}

/** The whole body of `res` through the Fetch API (the portable path): null when it has none. */
export async function readBody(res: globalThis.Response): Promise<Uint8Array | null> {
  if (res.body === null) return null;
  return new Uint8Array(await res.arrayBuffer());
}
