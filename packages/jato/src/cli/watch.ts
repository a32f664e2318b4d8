import { readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

const IGNORED_SEGMENTS = new Set(['node_modules', '.git', '.turbo', '.test-results']);

/** True for paths a reload should not react to (dependencies, VCS data, editor temp files). */
export function ignoredPath(relative: string): boolean {
  const parts = relative.split(/[\\/]/);
  if (parts.some((p) => IGNORED_SEGMENTS.has(p))) return true;
  const base = parts[parts.length - 1] ?? '';
  return base.endsWith('~') || base.endsWith('.swp') || base.startsWith('.#');
}

/**
 * Watches `roots` for changes and calls `onChange(file)` for every change outside ignored paths.
 * Uses recursive fs.watch (Linux since Node 20, macOS, Windows); where that is unavailable, one
 * watcher per directory found at start. Returns a function that stops watching.
 */
export function watchTree(roots: readonly string[], onChange: (file: string) => void): () => void {
  const watchers: FSWatcher[] = [];
  const listen = (dir: string, root: string, recursive: boolean): void => {
    const w = watch(dir, { recursive }, (_event, name) => {
      const rel = path.relative(root, path.join(dir, name === null ? '' : String(name)));
      if (!ignoredPath(rel)) onChange(path.join(root, rel));
    });
    w.on('error', () => {
      // a watched directory went away: nothing to do
    });
    watchers.push(w);
  };
  for (const root of roots) {
    try {
      listen(root, root, true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM') throw error;
      const walk = (dir: string): void => {
        listen(dir, root, false);
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          if (entry.isDirectory() && !ignoredPath(entry.name)) walk(path.join(dir, entry.name));
        }
      };
      walk(root);
    }
  }
  return () => {
    for (const w of watchers) w.close();
  };
}
