import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared';

// Runtime tests plus type tests (`test/**/*.test-d.ts`, checked by tsc through vitest's typecheck mode);
// both land in the shared JSON report.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    },
  }),
);
