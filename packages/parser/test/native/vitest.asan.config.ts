import { defineConfig } from 'vitest/config';
import shared from '../../../../vitest.shared';

/**
 * The package's vitest tests (the native ones, the corpus and differential suites that also drive the
 * addon) under ASan/UBSan (run by test/native/run.mjs): the shared settings, but the
 * JSON report goes to JATO_ASAN_REPORT instead of the package's .test-results/vitest.json.
 */
export default defineConfig({
  ...shared,
  root: new URL('../..', import.meta.url).pathname,
  test: {
    ...shared.test,
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: process.env.JATO_ASAN_REPORT ?? 'asan-vitest.json' }]],
  },
});
