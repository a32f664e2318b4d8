// The workspace's one seeded PRNG (packages/parser/test/support/prng.ts).
export { prng } from '../../../parser/test/support/prng.js';
