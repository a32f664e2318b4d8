import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings for every workspace package.
 * - resolves sibling packages to their `src/` through the `@jato/source` export condition,
 *   so tests never depend on a sibling's stale build;
 * - writes a JSON report that `scripts/test.sh` sums into the closing `N passed, M failed` line.
 */
export default defineConfig({
  resolve: { conditions: ['@jato/source'] },
  ssr: { resolve: { conditions: ['@jato/source'] } },
  test: {
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
