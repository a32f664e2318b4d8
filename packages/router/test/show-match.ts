import type { FoundResult, MatchResult } from '../src/index.js';

/**
 * A compact view of a match result for comparisons: `found(r)` for a match, '405 A,B',
 * 'bad <segment>' or '404'.
 */
export function showMatch<T>(r: MatchResult<T>, found: (r: FoundResult<T>) => string): string {
  switch (r.kind) {
    case 'found':
      return found(r);
    case 'method-not-allowed':
      return `405 ${r.allowed.join(',')}`;
    case 'bad-param':
      return `bad ${r.segment}`;
    case 'not-found':
      return '404';
  }
}
