import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared';

export default mergeConfig(shared, defineConfig({
  resolve: { alias: { '@jato/native-loop': fileURLToPath(new URL('./test/support/native-loop-shim.ts', import.meta.url)) } },
}));
