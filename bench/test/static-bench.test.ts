// The static-file scenario (src/static/static-bench.mjs): how each peer is launched, and a short run
// of jato through the scenario's own code path (a smoke run: it checks the answers and the table,
// never the figures).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, staticServer, SCENARIOS } from '../src/static/static-bench.mjs';

const hasWrk = !spawnSync('wrk', ['-v']).error;

describe('bench:static', () => {
  it('launches nginx with sendfile over the root, and names what is missing', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'jato-static-bench-test-'));
    try {
      const r = staticServer('nginx', root);
      if (r.ok) {
        const prefix = r.launch.args[3]!;
        const conf = readFileSync(path.join(prefix, 'nginx.conf.in'), 'utf8');
        expect(conf).toContain('sendfile on;');
        expect(conf).toContain(`root ${root};`);
        r.launch.cleanup?.();
      } else {
        expect(r.reason).toMatch(/nginx/);
      }
      expect(staticServer('nope', root)).toEqual({ ok: false, reason: 'unknown server nope' });
      expect(SCENARIOS.map((s) => s.id)).toEqual(['1 KiB pipelined ×24', '1 KiB plain', '1 MiB plain']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasWrk)('a 1 s run of jato checks both files and fills the three cells', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'jato-static-bench-out-')), 'static.md');
    const logs: string[] = [];
    const code = await main(['--duration', '1', '--servers', 'jato', '--out', out], (l: string) => logs.push(l));
    const table = readFileSync(out, 'utf8');
    rmSync(path.dirname(out), { recursive: true, force: true });
    expect(code, logs.join('\n')).toBe(0);
    expect(table.split('\n').filter((l) => l.startsWith('| 1 ') && l.includes('| jato |'))).toHaveLength(3);
  }, 60_000);
});
