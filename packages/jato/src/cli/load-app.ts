import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ListenOptions, ListeningApp } from '@jato/core';
import { CliError } from './cli-error.js';
import { prepareTypeScript } from './typescript.js';

/** What the CLI needs of an app: jato's `App.listen`. */
export interface ListenableApp {
  listen(options: ListenOptions): Promise<ListeningApp>;
}

function isApp(value: unknown): value is ListenableApp {
  return typeof value === 'object' && value !== null && typeof (value as { listen?: unknown }).listen === 'function';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object without listen() (keys: ${Object.keys(value).join(', ') || 'none'})`;
  return `a ${typeof value}`;
}

/** Resolves `entry` against the working directory and checks that it exists. */
export function resolveEntry(entry: string): string {
  const file = path.resolve(entry);
  if (!existsSync(file)) throw new CliError(`cannot find the entry file ${entry} (looked at ${file})`);
  return file;
}

/**
 * Imports the entry module and returns its jato App: the default export, or the export named
 * `app` (also through a CommonJS module's exports object).
 */
export async function loadApp(file: string): Promise<ListenableApp> {
  await prepareTypeScript(file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const err = error as Error;
    throw new CliError(`failed to load ${file}:\n${err.stack ?? err.message}`);
  }
  const def = mod.default as Record<string, unknown> | undefined;
  for (const candidate of [def, mod.app, def?.app, def?.default]) {
    if (isApp(candidate)) return candidate;
  }
  throw new CliError(
    `${file} must export a jato App as its default export or as 'app' ` +
      `(default export is ${describe(def)}, 'app' is ${describe(mod.app)})`,
  );
}
