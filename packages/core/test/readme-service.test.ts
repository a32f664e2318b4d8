// The "Building a real service" example of the README, taken from README.md and run as written by
// `node` (ESM, from this package's directory: `@jato/core` resolves to this package's built dist,
// `pino` to its dev dependency), with PORT=0; its routes are then called over a real socket and the
// process is stopped with SIGTERM (it drains and exits 0). The access log is read from its stdout.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { readmeBlock, runReadmeExample } from './support/readme-example.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The example's process and its stdout as JSON lines (pino), each awaited by a predicate. */
function run(code: string): { child: ChildProcess; lines: Array<Record<string, unknown>>; line: (p: (l: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>; exit: Promise<number | null> } {
  const child = runReadmeExample(code);
  const lines: Array<Record<string, unknown>> = [];
  let waiters: Array<() => void> = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    buffered += c.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const l = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
    }
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
    resolve(code);
  }));
  const line = (p: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = lines.find(p);
        if (found !== undefined) resolve(found);
        else if (child.exitCode !== null) reject(new Error(`the example exited (${child.exitCode}): ${stderr}`));
        else waiters.push(check);
      };
      check();
    });
  return { child, lines, line, exit };
}

describe('README: building a real service', () => {
  it('runs as written', async () => {
    const code = readmeBlock('Building a real service');
    expect(code).toContain("from '@jato/core'");
    const example = run(code);
    try {
      const listening = await example.line((l) => l['msg'] === 'listening');
      const base = `http://127.0.0.1:${listening['port'] as number}`;
      const auth = { authorization: 'Bearer demo', origin: 'https://app.example' };
      const user = await fetch(`${base}/v1/users/42`, { headers: { ...auth, 'x-request-id': 'trace-1' } });
      expect(await user.json()).toEqual({ id: '42', by: 'demo', requestId: 'trace-1' });
      expect(user.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(user.headers.get('access-control-allow-credentials')).toBe('true');
      expect(user.headers.get('x-request-id')).toBe('trace-1');

      expect((await fetch(`${base}/v1/users/42`)).status).toBe(401);
      const pre = await fetch(`${base}/v1/upload`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
      expect([pre.status, pre.headers.get('access-control-max-age')]).toEqual([204, '600']);
      const big = await fetch(`${base}/v1/upload`, { method: 'POST', headers: auth, body: new Uint8Array(70 * 1024) });
      expect(big.status).toBe(413);
      expect(big.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const small = await fetch(`${base}/v1/upload`, { method: 'POST', headers: auth, body: new Uint8Array(1000) });
      expect(await small.json()).toEqual({ size: 1000 });

      const scrape = await fetch(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
      expect(scrape.headers.get('content-encoding')).toBe('gzip'); // > 1 KiB of text
      const text = await scrape.text(); // fetch decodes it
      expect(text).toContain('jato_http_requests_total{method="POST",status="4xx"} 1');
      expect(text).toContain('jato_http_request_duration_seconds_count{route="/v1/users/:id"} 2');
      expect(text).toMatch(/^jato_connections_accepted_total [1-9]\d*$/m);

      expect((await fetch(`${base}/ready`)).status).toBe(200);
      await example.line((l) => l['msg'] === 'request' && l['path'] === '/ready');
      const access = example.lines.filter((l) => l['msg'] === 'request');
      expect(access.map((l) => [l['method'], l['path'], l['status']])).toEqual([
        ['GET', '/v1/users/42', 200], ['GET', '/v1/users/42', 401], ['OPTIONS', '/v1/upload', 204],
        ['POST', '/v1/upload', 413], ['POST', '/v1/upload', 200], ['GET', '/metrics', 200], ['GET', '/ready', 200],
      ]);
      expect(access[0]!['requestId']).toBe('trace-1');
      example.child.kill('SIGTERM');
      expect(await example.exit).toBe(0); // drained and exited on its own
    } finally {
      if (example.child.exitCode === null) example.child.kill('SIGKILL');
    }
  });

  it('type-checks as written (the package tsconfig, @jato/core from source)', () => {
    const code = readmeBlock('Building a real service');
    const config = ts.getParsedCommandLineOfConfigFile(path.join(packageDir, 'tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    })!;
    // a virtual module next to the package's sources: the README block, never written to disk
    const file = path.join(packageDir, 'readme-example.ts');
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) =>
      path.resolve(name) === file ? ts.createSourceFile(name, code, version) : getSourceFile(name, version, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
    const program = ts.createProgram([file], { ...config.options, noEmit: true }, host);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  }, 120_000);
});
