import { fileURLToPath } from 'node:url';
import shared from '../../../../vitest.shared';

// The sanitizer run (test/sanitize/run.mjs): the shared settings, with its own JSON report file so
// the regular run's .test-results/vitest.json is left alone.
export default {
  ...shared,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    ...shared.test,
    reporters: ['default', ['json', { outputFile: '.test-results/sanitize.json' }]],
    include: ['test/*.test.ts'],
  },
};
