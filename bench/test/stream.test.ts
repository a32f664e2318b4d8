import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('bench:stream', () => {
  it('runs every scenario for jato and node:http with short durations and reports figures for each', () => {
    const run = spawnSync(process.execPath, ['src/stream/run-stream.mjs', '--duration', '1', '--servers', 'jato,node-http', '--sse-clients', '50', '--conns', '2'], {
      cwd: bench,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout.split('\n').filter((l) => /^\| (jato|node-http) \|/.test(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const cells = row.split('|').slice(2, -1).map((c) => Number(c.trim()));
      expect(cells).toHaveLength(6);
      for (const c of cells) expect(c).toBeGreaterThan(0);
    }
  }, 150_000);
});
