import { prng } from '../../parser/test/support/prng.js';

/** The workspace's one seeded PRNG (packages/parser/test/support/prng.ts), as rand(n): an integer in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
  const rand = prng(seed);
  return (n: number): number => Math.floor(rand() * n);
}
