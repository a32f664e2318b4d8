import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { transportStatus } from '@jato/native-loop';
import { bindingPackage, platformKey } from '@jato/parser';

/** One `label: value` line per fact, for a bug report. */
export interface InfoLine {
  label: string;
  value: string;
}

/** The versions of jato's packages installed here. */
function version(pkg: string): string {
  try {
    return (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'not found';
  }
}

/** Whether this platform's prebuilt package is installed with its addon (resolved as @jato/parser does). */
function prebuiltInstalled(): boolean {
  try {
    const require = createRequire(createRequire(import.meta.url).resolve('@jato/parser'));
    return existsSync(join(dirname(require.resolve(`${bindingPackage()}/package.json`)), 'jato_native_loop.node'));
  } catch {
    return false;
  }
}

/** Collects what `jato info` prints (loads the native-loop addon, and the parser's for the SIMD level). */
export async function collectInfo(): Promise<InfoLine[]> {
  const status = transportStatus();
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    ?.glibcVersionRuntime;
  const lines: InfoLine[] = [
    { label: 'jato', value: `${version('jato')} (@jato/core ${version('@jato/core')}, @jato/native-loop ${version('@jato/native-loop')})` },
    { label: 'runtime', value: status.runtime },
    { label: 'platform', value: `${platformKey()}${glibc ? ` (glibc ${glibc})` : ''}` },
    { label: 'prebuilt package', value: `${bindingPackage()} ${prebuiltInstalled() ? 'installed' : 'not installed'}` },
    {
      label: "transport ('auto')",
      value: status.transport === 'native' ? `native (addon: ${status.origin ?? 'unknown origin'})` : `js (${status.reason ?? ''})`,
    },
  ];
  try {
    const parser = await import('@jato/parser/native');
    lines.push(
      parser.nativeAvailable
        ? { label: 'SIMD', value: `${parser.nativeSimdLevel()} (CPU supports ${parser.nativeSimdSupported()}; parser addon: ${parser.nativeOrigin ?? 'unknown origin'})` }
        : { label: 'SIMD', value: `unknown (parser addon unavailable: ${parser.nativeLoadError?.message ?? ''})` },
    );
  } catch (error) {
    lines.push({ label: 'SIMD', value: `unknown (${(error as Error).message})` });
  }
  return lines;
}

/** `jato info`: prints runtime, platform, the transport 'auto' picks and why, addon origin, SIMD level. */
export async function info(write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const lines = await collectInfo();
  const width = Math.max(...lines.map((l) => l.label.length));
  write(lines.map((l) => `${`${l.label}:`.padEnd(width + 2)}${l.value}\n`).join(''));
  return 0;
}
