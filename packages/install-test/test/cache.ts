import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A directory kept between runs of the suite ($XDG_CACHE_HOME or ~/.cache, under jato/). */
export function cacheDir(name: string): string {
  const base = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  const dir = path.join(base, 'jato', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
