import { createTsParser, type StreamParser } from '@jato/parser';
import type { ResolvedOptions } from './options.js';

/** A TS StreamParser with the server's head, header-count and body limits. */
export function createConnectionParser(options: ResolvedOptions): StreamParser {
  return createTsParser({
    maxHeadBytes: options.maxHeadBytes,
    maxHeaders: options.maxHeaders,
    maxBodyBytes: options.maxBodyBytes,
  }, options.maxStreamBodyBytes);
}
