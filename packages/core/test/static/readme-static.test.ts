// The "Static files: a front-end and an API from one app" example of the README, as written (port 0
// instead of 8080, no log output, in a temporary working directory holding a built front-end),
// over a real socket.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, file, serveStatic } from '../../src/index.js';
import { rawRequest } from '../support/testing.js';

let dir: string;
let cwd: string;
beforeAll(() => {
  cwd = process.cwd();
  dir = mkdtempSync(join(tmpdir(), 'jato-readme-static-'));
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  mkdirSync(join(dir, 'dist', 'docs'));
  mkdirSync(join(dir, 'reports'));
  writeFileSync(join(dir, 'dist', 'index.html'), '<h1>app</h1>');
  writeFileSync(join(dir, 'dist', 'docs', 'index.html'), '<h1>docs</h1>');
  writeFileSync(join(dir, 'dist', 'assets', 'app.3f2a.js'), 'console.log(1)');
  writeFileSync(join(dir, 'dist', 'assets', 'app.3f2a.js.br'), brotliCompressSync('console.log(1)'));
  writeFileSync(join(dir, 'reports', 'latest.pdf'), '%PDF-1.4 report');
  process.chdir(dir);
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

describe('README: a front-end and an API from one app', () => {
  it('runs as written', async () => {
    // ---- the README code ----
    const app = new App({ logger: false });

    // the API
    app.group('/api', (api) => {
      api.get('/health', () => ({ ok: true }));
      api.get('/report', () => file('reports/latest.pdf', { download: 'report.pdf' }));
    });

    // content-hashed bundles: cached for a year, .br/.gz siblings chosen by Accept-Encoding
    app.get('/assets/*', serveStatic('dist/assets', { maxAge: 31536000, immutable: true, precompressed: true }));
    // the rest of the built front-end: / serves dist/index.html, /docs redirects to /docs/
    app.get('/*', serveStatic('dist'));

    const server = await app.listen({ port: 0, host: '127.0.0.1', workers: 1, handleSignals: false });
    // ---- end of the README code ----
    try {
      const get = (path: string, headers = '') => rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n${headers}\r\n`).then((r) => r.responses[0]!);
      expect((await get('/api/health')).text()).toBe('{"ok":true}');
      const report = await get('/api/report');
      expect(report.headers['content-type']).toBe('application/pdf');
      expect(report.headers['content-disposition']).toBe('attachment; filename="report.pdf"');
      expect(report.text()).toBe('%PDF-1.4 report');
      const js = await get('/assets/app.3f2a.js', 'Accept-Encoding: br, gzip\r\n');
      expect(js.headers['content-encoding']).toBe('br');
      expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect((await get('/')).text()).toBe('<h1>app</h1>');
      const docs = await get('/docs');
      expect(docs.status).toBe(301);
      expect(docs.headers.location).toBe('/docs/');
      expect((await get('/docs/')).text()).toBe('<h1>docs</h1>');
      expect((await get('/api/nope')).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
