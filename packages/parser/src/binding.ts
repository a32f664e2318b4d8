/**
 * Where jato's Node-API addons come from, in order: an explicit file (an environment variable), the
 * platform's prebuilt package (`@jato/binding-<platform>`, an optional dependency), then the local
 * build (`build/Release`, made by `jato build-native`). Shared by `@jato/parser/native` and `@jato/native-loop`; it only finds
 * files, it never loads an addon.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Where an addon came from. */
export type AddonOrigin = 'prebuilt' | 'local build' | 'environment';

/** One place an addon may be loaded from. */
export interface AddonCandidate {
  file: string;
  origin: AddonOrigin;
}

/** `linux-x64-gnu`, `linux-x64-musl`, `darwin-arm64`, `win32-x64`: the suffix of the prebuilt packages. */
export function platformKey(): string {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`;
  let glibc: unknown;
  try {
    glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
      ?.glibcVersionRuntime;
  } catch {
    glibc = undefined;
  }
  return `linux-${process.arch}-${glibc ? 'gnu' : 'musl'}`;
}

/** The name of this platform's prebuilt package. */
export function bindingPackage(): string {
  return `@jato/binding-${platformKey()}`;
}

/**
 * The files to try for `addonFile` (e.g. `jato_native_loop.node`), best first: `envFile` alone when
 * set, else the prebuilt package's copy, then `localFiles` (the package's own build/Release).
 */
export function addonCandidates(addonFile: string, localFiles: string[], envFile?: string): AddonCandidate[] {
  if (envFile) return [{ file: envFile, origin: 'environment' }];
  const list: AddonCandidate[] = [];
  try {
    const manifest = createRequire(import.meta.url).resolve(`${bindingPackage()}/package.json`);
    list.push({ file: join(dirname(manifest), addonFile), origin: 'prebuilt' });
  } catch {
    // no prebuilt package for this platform installed
  }
  for (const file of localFiles) list.push({ file, origin: 'local build' });
  return list.filter((c) => c.origin === 'environment' || existsSync(c.file));
}

/**
 * The command that builds an addon locally where no prebuilt matches (the packages have no install
 * script): `jato build-native` for the server's addon (the jato CLI), `jato-build-native @jato/parser`
 * (@jato/parser's bin) for the parser's; run through pnpm when `moduleUrl` lies in pnpm's store.
 */
export function buildCommand(addon: 'native-loop' | 'parser', moduleUrl: string): string {
  const runner = /[\\/]node_modules[\\/]\.pnpm[\\/]/.test(decodeURIComponent(moduleUrl)) ? 'pnpm exec' : 'npx';
  return addon === 'parser' ? `${runner} jato-build-native @jato/parser` : `${runner} jato build-native`;
}
