import { realpathSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';

/** What to do with a path segment starting with a dot: serve it, 403, or 404 as if absent. */
export type DotfilesPolicy = 'allow' | 'deny' | 'ignore';

/** Where a request path led, inside the root. */
export type Resolved =
  | { kind: 'file'; path: string; stat: Stats }
  | { kind: 'directory'; path: string }
  | { kind: 'forbidden' }
  | { kind: 'missing' };

const MISSING: Resolved = Object.freeze({ kind: 'missing' });
const FORBIDDEN: Resolved = Object.freeze({ kind: 'forbidden' });

/**
 * The segments of a decoded relative path, or null for a hostile one: a NUL byte, a backslash, a `.`
 * or `..` segment, a control character. Empty segments (`a//b`, a leading `/`) are dropped, so an
 * absolute path is taken relative to the root. Nothing is decoded here: the path was decoded exactly
 * once before (so `%2e%2e` decoded twice is a literal file name, never `..`).
 */
export function pathSegments(rel: string): string[] | null {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f\\]/.test(rel)) return null;
  const out: string[] = [];
  for (const s of rel.split('/')) {
    if (s === '') continue;
    if (s === '.' || s === '..') return null;
    out.push(s);
  }
  return out;
}

/**
 * Resolve `segments` under `root` (a real path, without symlinks): the real path of the target must
 * lie inside the root unless `followSymlinks` (a symlink pointing out of the root is missing); a
 * dot segment follows `dotfiles`; anything but a regular file or a directory (FIFO, socket,
 * device) is missing, and nothing is opened here.
 */
export function resolveUnder(root: string, segments: readonly string[], dotfiles: DotfilesPolicy, followSymlinks: boolean): Resolved {
  if (dotfiles !== 'allow') {
    for (const s of segments) if (s.charCodeAt(0) === 46 /* . */) return dotfiles === 'deny' ? FORBIDDEN : MISSING;
  }
  const full = segments.length === 0 ? root : join(root, ...segments);
  if (full !== root && !full.startsWith(root + sep)) return MISSING;
  let real: string;
  try {
    real = realpathSync.native(full);
  } catch {
    return MISSING;
  }
  const inside = real === root || real.startsWith(root + sep);
  if (!followSymlinks && !inside) return MISSING;
  if (dotfiles !== 'allow' && inside && real !== root) {
    // a symlink with a plain name must not reach a dotfile either
    for (const s of real.slice(root.length + 1).split(sep)) if (s.charCodeAt(0) === 46) return dotfiles === 'deny' ? FORBIDDEN : MISSING;
  }
  const st = statSync(real, { throwIfNoEntry: false });
  if (st === undefined) return MISSING;
  if (st.isFile()) return { kind: 'file', path: real, stat: st };
  if (st.isDirectory()) return { kind: 'directory', path: real };
  return MISSING;
}
