/** The pure TypeScript implementation of the StreamParser contract. */
export { createTsParser } from './stream-parser.js';
