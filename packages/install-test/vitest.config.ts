import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared';

// Installs take tens of seconds and share the npm cache: one file at a time, generous timeouts.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['test/global-setup.ts'],
      fileParallelism: false,
      testTimeout: 300_000,
      hookTimeout: 300_000,
    },
  }),
);
