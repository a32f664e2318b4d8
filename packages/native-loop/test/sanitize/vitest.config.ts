import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';
import shared from '../../../../vitest.shared';

// The sanitizer run (test/sanitize/run.mjs): the shared settings, with its own JSON report file so
// the regular run's .test-results/vitest.json is left alone.
const config: ViteUserConfig = {
  ...shared,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    ...shared.test,
    reporters: ['default', ['json', { outputFile: '.test-results/sanitize.json' }]] as NonNullable<
      NonNullable<ViteUserConfig['test']>['reporters']
    >,
    include: ['test/*.test.ts'],
  },
};

export default config;
