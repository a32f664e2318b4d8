import { streamKind, type StreamBody } from './stream-source.js';

/** The mark (a registered symbol: two copies of this package agree on it). */
const MARK = Symbol.for('jato.immutableChunks');
/** Sources that cannot take the mark (frozen or sealed objects). */
const frozen = new WeakSet<object>();

/**
 * Marks a streamed body whose chunks are never modified after being handed over (the rule Node and
 * Web streams consumers already assume), and returns it. By default a `Uint8Array` chunk is jato's
 * only until the source is asked for the next one, so jato copies it before resuming the source (see
 * "Chunk ownership" in the README); for a marked source jato keeps references to the chunks it
 * yields within one event-loop turn and writes them from their own memory (on the native transport
 * one write per connection per turn, copying only what the socket does not take). Works for an
 * `AsyncIterable` (an `async function*`'s generator), a Node `Readable` and a Web `ReadableStream`,
 * returned by the handler or passed to `new Response(marked, init)`.
 *
 * The promise is the caller's: a producer that overwrites a chunk after yielding it (a reused
 * buffer) may send the overwritten bytes. Do not mark such a source.
 *
 * @example
 * const CHUNK = Buffer.alloc(64 * 1024, 'x'); // never written to again
 * app.get('/download', () => immutableChunks((async function* () {
 *   for (let i = 0; i < 16; i++) yield CHUNK;
 * })()));
 * @throws TypeError when `source` is not a stream jato can send
 */
export function immutableChunks<T extends StreamBody>(source: T): T {
  if (streamKind(source) === null) throw new TypeError('immutableChunks() takes a ReadableStream, a Node Readable or an AsyncIterable');
  if (Object.isExtensible(source)) Object.defineProperty(source, MARK, { value: true, configurable: true });
  else frozen.add(source);
  return source;
}

/** Whether `source` was marked with `immutableChunks`. @internal */
export function hasImmutableChunks(source: object): boolean {
  return (source as { [MARK]?: unknown })[MARK] === true || frozen.has(source);
}
