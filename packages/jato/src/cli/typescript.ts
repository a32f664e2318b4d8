import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './cli-error.js';

const TS_FILE = /\.(?:[cm]?ts|tsx)$/;

/** The tsx major the CLI recommends and is tested with (tsx 4.21 and 4.23 on Node 20). */
export const TSX_RECOMMENDED = 'tsx@4';

/** True for a TypeScript file name (.ts, .mts, .cts, .tsx). */
export function isTypeScript(file: string): boolean {
  return TS_FILE.test(file);
}

/** True when this process was started with tsx's loader (`--import tsx`, `tsx app.ts`). */
function tsxActive(): boolean {
  return process.execArgv.some((arg) => /tsx/.test(arg));
}

/** True when this Node strips TypeScript types as it loads a module (22.18+ by default, 22.6+ with the flag). */
export function nodeStripsTypes(): boolean {
  const features = process.features as { typescript?: unknown };
  if (features.typescript !== undefined && features.typescript !== false) return true;
  return process.execArgv.some((arg) => /strip-types|transform-types/.test(arg));
}

/** True when this Node can strip types with `--experimental-strip-types` (22.6 and later). */
export function nodeCanStripTypes(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 6);
}

/**
 * The file of tsx's ESM registration API (`tsx/esm/api`, its `import` condition), looked up from the
 * entry's directory, the working directory and jato's own install, in that order; undefined when tsx
 * is not installed. The `import` file is taken from tsx's `exports` map: the `require` one (what
 * `require.resolve` returns) fails to register on tsx >= 4.22 (`.../esm/api/esm/index.mjs` not found).
 */
export function findTsx(entry: string): string | undefined {
  const bases = [entry, path.join(process.cwd(), 'noop.js'), import.meta.url];
  for (const base of bases) {
    let manifest: string;
    try {
      manifest = createRequire(base).resolve('tsx/package.json');
    } catch {
      continue;
    }
    const exportsMap = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }).exports;
    const target = importTarget(exportsMap?.['./esm/api']);
    if (target !== undefined) return path.join(path.dirname(manifest), target);
  }
  return undefined;
}

/** The file an `exports` entry gives under the `import` (else `default`) condition. */
function importTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const map = entry as Record<string, unknown>;
  for (const key of ['import', 'node', 'default']) {
    if (key in map) {
      const found = importTarget(map[key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The nearest package.json's `type` above `file` ('module', 'commonjs', or undefined when unset). */
export function nearestPackageType(file: string): { type: string | undefined; manifest: string | undefined } {
  let dir = path.dirname(file);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const type = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
        return { type: typeof type === 'string' ? type : undefined, manifest };
      } catch {
        return { type: undefined, manifest };
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return { type: undefined, manifest: undefined };
    dir = parent;
  }
}

/**
 * With Node's type stripping the module format is the file's own: `.mts` ESM, `.cts` CommonJS, `.ts`
 * what the nearest package.json's `type` says. A `.ts` file with import/export under
 * `"type": "commonjs"` cannot load that way: say so and how to fix it, before Node fails obscurely.
 */
export function checkStrippedFormat(entry: string): void {
  if (!entry.endsWith('.ts')) return;
  const { type, manifest } = nearestPackageType(entry);
  if (type !== 'commonjs') return;
  const source = readFileSync(entry, 'utf8');
  if (!/^\s*(?:import\s*[\w{*'"]|export\s)/m.test(source)) return;
  throw new CliError(
    `${entry} uses import/export, but ${manifest} says "type": "commonjs", so Node loads it as CommonJS.\n` +
      `Set "type": "module" there, rename the file to .mts, or install tsx next to your app ` +
      `(npm i -D ${TSX_RECOMMENDED}) and jato will run it through tsx.`,
  );
}

/** How this process runs a TypeScript entry. */
export type TypeScriptPlan =
  | { kind: 'none' } // JavaScript, or a loader is active
  | { kind: 'tsx'; api: string } // register tsx's hooks in this process
  | { kind: 'strip' } // Node strips types in this process
  | { kind: 'reexec'; flag: string }; // re-run under `node --experimental-strip-types`

/** Decides how to run `entry` (tsx first when installed, then Node's type stripping). */
export function planTypeScript(entry: string): TypeScriptPlan {
  if (!isTypeScript(entry) || tsxActive()) return { kind: 'none' };
  const api = findTsx(entry);
  if (api !== undefined) return { kind: 'tsx', api };
  if (nodeStripsTypes()) return { kind: 'strip' };
  if (nodeCanStripTypes() && !entry.endsWith('.tsx')) return { kind: 'reexec', flag: '--experimental-strip-types' };
  throw new CliError(
    `${entry} is TypeScript, and Node ${process.version} cannot run TypeScript by itself (Node 22.6+ can).\n` +
      `Install tsx next to your app (npm i -D ${TSX_RECOMMENDED}) and jato will use it, ` +
      `or build to JavaScript and run jato on the .js file.`,
  );
}

/**
 * Makes a TypeScript entry importable in this process: nothing for JavaScript or when a loader is
 * already active; registers tsx's hooks (`module.register`, Node ≥ 20.6) when tsx is installed; else
 * relies on Node's type stripping (checking the module format first). The 'reexec' plan is the
 * caller's (see main.ts).
 */
export async function prepareTypeScript(entry: string): Promise<void> {
  const plan = planTypeScript(entry);
  if (plan.kind === 'tsx') {
    const { register } = (await import(pathToFileURL(plan.api).href)) as { register: () => unknown };
    register();
  } else if (plan.kind === 'strip') {
    checkStrippedFormat(entry);
  } else if (plan.kind === 'reexec') {
    throw new CliError(`${entry} needs Node's ${plan.flag}: run jato through its CLI, which adds it`);
  }
}
