import { defineConfig, type Options } from 'tsup';

/**
 * The build every published package shares: ESM + CJS + `.d.ts`/`.d.cts` for Node 20
 * (`shims` because the CJS output uses `import.meta.url` to find native addons).
 */
export function packageBuild(entry: string[] = ['src/index.ts']): Options | Options[] {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'node20',
    shims: true,
    sourcemap: true,
  }) as Options;
}
