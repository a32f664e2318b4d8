// The workspace's one seeded PRNG (packages/parser/test/support/prng.mjs), and two helpers over it.
import { prng } from '../../../parser/test/support/prng.mjs';

export { prng };

/** An integer in [0, n). */
export const int = (rand, n) => Math.floor(rand() * n);

/** One element of `list`. */
export const pick = (rand, list) => list[int(rand, list.length)];
