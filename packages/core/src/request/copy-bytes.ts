/**
 * A copy of `view`'s bytes as a plain `Uint8Array` over its own memory, not zero-filled first (every
 * byte is written). Not `view.slice()`: batch memory is a Buffer, whose `slice` is a view (an async
 * handler's body would be overwritten by the next batch).
 * @internal
 */
export function copyBytes(view: Uint8Array): Uint8Array {
  const n = view.byteLength;
  const copy = new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
  copy.set(view);
  return copy;
}
