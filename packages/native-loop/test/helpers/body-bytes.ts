import { createHash } from 'node:crypto';
import { seeded } from './raw-client.js';

/** `n` deterministic body bytes drawn from the seeded PRNG with `seed`. */
export function bytes(n: number, seed: number): Buffer {
  const rnd = seeded(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (rnd() * 256) | 0;
  return b;
}

/** The sha256 of `b`, in hex. */
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
