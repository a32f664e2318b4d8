import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `bench:stream` with `args` (no warm-up unless they give one: the runner takes an option's first
 * occurrence), failing the test on a non-zero exit; its standard output.
 */
function runStream(args: string[], timeout: number): string {
  const run = spawnSync(process.execPath, ['src/stream/run-stream.mjs', ...args, '--warmup', '0'], { cwd: bench, encoding: 'utf8', timeout });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe('bench:stream', () => {
  it('runs every scenario for jato and node:http with short durations and reports figures for each', () => {
    const out = runStream(['--duration', '1', '--servers', 'jato,node-http', '--sse-clients', '50', '--conns', '2'], 120_000);
    // the figures table (node:http's ratio table follows a blank line)
    const table = out.split('\n\n')[0]!;
    const rows = table.split('\n').filter((l) => /^\| (jato|node-http) \|/.test(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const cells = row.split('|').slice(2, -1).map((c) => Number(c.trim()));
      expect(cells).toHaveLength(6);
      for (const c of cells) expect(c).toBeGreaterThan(0);
    }
  }, 150_000);

  it('with --rounds, gives medians with their range and the per-round ratio to node:http', () => {
    const out = runStream(['--duration', '0.5', '--warmup', '0.5', '--rounds', '2', '--servers', 'jato,node-http', '--scenarios', 'download', '--conns', '2'], 90_000);
    const lines = out.split('\n');
    /** Per server: [median, min, max] of its CPU per MiB. */
    const cpuOf = new Map<string, [number, number, number]>();
    for (const id of ['jato', 'node-http']) {
      const row = lines.find((l) => l.startsWith(`| ${id} | - | - |`));
      expect(row, out).toBeDefined();
      // "median (min–max)" for MiB/s and ms/MiB, min ≤ median ≤ max
      const [, , , , rate, cpu] = row!.split('|').map((c) => c.trim());
      for (const c of [rate!, cpu!]) {
        const m = /^([\d.]+) \(([\d.]+)–([\d.]+)\)$/.exec(c);
        expect(m, c).not.toBeNull();
        const [median, min, max] = m!.slice(1).map(Number) as [number, number, number];
        expect(min).toBeGreaterThan(0);
        expect(min).toBeLessThanOrEqual(median);
        expect(median).toBeLessThanOrEqual(max);
        if (c === cpu) cpuOf.set(id, [median, min, max]);
      }
    }
    // the ratio table has jato only (node:http is the reference), its download cell a multiple
    const ratio = lines.slice(lines.findIndex((l) => l.startsWith('| server | SSE | download | upload |'))).find((l) => l.startsWith('| jato |'));
    const r = /^\| jato \| - \| ([\d.]+)× \(([\d.]+)–([\d.]+)\) \| - \|$/.exec(ratio ?? '');
    expect(r, out).not.toBeNull();
    // each round's ratio is node:http's CPU over jato's: within [node min / jato max, node max / jato min]
    const [, jMin, jMax] = cpuOf.get('jato')!;
    const [, nMin, nMax] = cpuOf.get('node-http')!;
    const [median, lo, hi] = r!.slice(1).map(Number) as [number, number, number];
    // (every figure is printed to two decimals: the bounds widened by the rounding of each)
    const e = 0.005;
    expect(lo).toBeGreaterThanOrEqual((nMin - e) / (jMax + e) - e);
    expect(hi).toBeLessThanOrEqual((nMax + e) / (jMin - e) + e);
    expect(lo).toBeLessThanOrEqual(median);
    expect(median).toBeLessThanOrEqual(hi);
    expect(lines.some((l) => l.startsWith('| node-http | - |') && l.includes('×'))).toBe(false);
  }, 120_000);

  it('jato-borrowed (uploads read with req.stream({ borrowed: true })) reports upload figures', () => {
    const row = runStream(['--duration', '1', '--servers', 'jato-borrowed', '--scenarios', 'upload', '--conns', '2'], 60_000)
      .split('\n').find((l) => l.startsWith('| jato-borrowed |'));
    expect(row).toBeDefined();
    const [mibs, cpu] = row!.split('|').slice(6, 8).map((c) => Number(c.trim()));
    expect(mibs).toBeGreaterThan(0);
    expect(cpu).toBeGreaterThan(0);
  }, 90_000);
});

describe('c-floor (the floor of the download and upload scenarios)', () => {
  it('answers GET /download with 1 MiB chunked and POST /upload with the body length, on one keep-alive connection', async () => {
    const { cFloorLaunch } = await import('../src/stream/c-floor.mjs');
    const { freePort, startServer } = await import('../src/server-process.mjs');
    const launch = cFloorLaunch();
    if (typeof launch === 'string') throw new Error(launch);
    const port = await freePort();
    const server = await startServer({ ...launch, env: { HOST: '127.0.0.1' } }, { port, readyTimeoutMs: 10_000 });
    const net = await import('node:net');
    const socket = net.connect(port, '127.0.0.1');
    try {
      let got = Buffer.alloc(0);
      let check: (() => void) | null = null;
      socket.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        check?.();
      });
      // resolves once `done()` holds after some data arrived; rejects if the server closes first
      const until = (done: () => boolean) =>
        new Promise<void>((resolve, reject) => {
          check = () => {
            if (!done()) return;
            check = null;
            resolve();
          };
          socket.once('close', () => reject(new Error(`closed after ${got.length} bytes`)));
        });
      socket.write('GET /download HTTP/1.1\r\nHost: t\r\n\r\n');
      await until(() => got.subarray(-7).toString('latin1') === '\r\n0\r\n\r\n');
      const head = got.toString('latin1', 0, got.indexOf('\r\n\r\n'));
      expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(head).toMatch(/\r\nTransfer-Encoding: chunked$/);
      let at = got.indexOf('\r\n\r\n') + 4;
      let body = 0;
      for (;;) {
        const eol = got.indexOf('\r\n', at);
        const size = parseInt(got.toString('latin1', at, eol), 16);
        if (size === 0) break;
        const data = got.subarray(eol + 2, eol + 2 + size);
        expect(data.every((b) => b === 0x78)).toBe(true);
        body += size;
        at = eol + 2 + size + 2;
      }
      expect(body).toBe(1024 * 1024);
      got = Buffer.alloc(0);
      const upload = Buffer.alloc(1024 * 1024 + 7, 121);
      socket.write(`POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: ${upload.length}\r\n\r\n`);
      socket.write(upload);
      await until(() => got.toString('latin1').endsWith(`\r\n\r\n${upload.length}`));
      expect(got.toString('latin1')).toBe(`HTTP/1.1 200 OK\r\nContent-Length: ${String(upload.length).length}\r\n\r\n${upload.length}`);
    } finally {
      socket.destroy();
      await server.stop();
    }
  }, 60_000);
});
