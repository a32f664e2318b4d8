// The workspace's one seeded PRNG, in plain JS so that both the vitest suites (through prng.ts)
// and the node-run scripts (core's net-fuzz) use the same generator.

/**
 * mulberry32: a small deterministic PRNG in [0, 1) for seeded test inputs.
 * @param {number} seed
 * @returns {() => number}
 */
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
