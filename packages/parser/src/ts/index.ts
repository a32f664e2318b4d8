/** The pure TypeScript implementation of the StreamParser contract. */
export { createTsParser, DEFAULT_LIMITS } from './stream-parser.js';
