/** mulberry32: a small seeded PRNG in [0, 1), so every fuzzed connection is reproducible from its seed. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export const int = (rand, n) => Math.floor(rand() * n);

/** One element of `list`. */
export const pick = (rand, list) => list[int(rand, list.length)];
