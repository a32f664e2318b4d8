// The workspace's one seeded PRNG (mulberry32), defined in prng.mjs for the node-run scripts too.
export { prng } from './prng.mjs';
