/**
 * The bytes of `chunks` (`size` in all) as one Uint8Array: the chunk itself when there is one, else a
 * new array holding them in order.
 * @internal
 */
export function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
