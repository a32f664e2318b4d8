import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './cli-error.js';

const TS_FILE = /\.(?:[cm]?ts|tsx)$/;

/** True for a TypeScript file name (.ts, .mts, .cts, .tsx). */
export function isTypeScript(file: string): boolean {
  return TS_FILE.test(file);
}

/** True when this process already runs with a TypeScript loader (tsx, or Node's type stripping). */
function loaderActive(): boolean {
  const features = process.features as { typescript?: unknown };
  if (features.typescript !== undefined && features.typescript !== false) return true;
  return process.execArgv.some((arg) => /tsx|strip-types|transform-types/.test(arg));
}

/**
 * Where tsx's ESM registration API is, looked up from the entry's directory, the working directory
 * and jato's own install, in that order; undefined when tsx is not installed.
 */
export function findTsx(entry: string): string | undefined {
  const bases = [entry, path.join(process.cwd(), 'noop.js'), import.meta.url];
  for (const base of bases) {
    try {
      return createRequire(base).resolve('tsx/esm/api');
    } catch {
      // not from here
    }
  }
  return undefined;
}

/**
 * Makes a TypeScript entry importable in this process: nothing for JavaScript or when a loader is
 * already active; else registers tsx's hooks (`module.register`, Node ≥ 20.6). Node 20 cannot strip
 * types itself (`--experimental-strip-types` is Node 22.6+), so without tsx this is a clear error.
 */
export async function prepareTypeScript(entry: string): Promise<void> {
  if (!isTypeScript(entry) || loaderActive()) return;
  const api = findTsx(entry);
  if (api === undefined) {
    throw new CliError(
      `${entry} is TypeScript, and Node ${process.version} cannot run TypeScript by itself.\n` +
        `Install tsx next to your app (npm i -D tsx) and jato will use it, ` +
        `or build to JavaScript and run jato on the .js file.`,
    );
  }
  const { register } = (await import(pathToFileURL(api).href)) as { register: () => unknown };
  register();
}
