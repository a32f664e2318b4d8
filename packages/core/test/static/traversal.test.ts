import { mkfifoSync } from './mkfifo.js';
import { join, sep } from 'node:path';
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, serveStatic } from '../../src/index.js';
import { pathSegments, resolveUnder } from '../../src/static/safe-path.js';
import { prng } from '../support/prng.js';
import { inject, rawRequest, startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';
import { makeFixture, type StaticFixture } from './fixture.js';

/** Request targets under `/s/` that try to leave the root or reach what must not be served. */
export const HOSTILE = [
  '../secret.txt', '..%2fsecret.txt', '..%2Fsecret.txt', '%2e%2e/secret.txt', '%2e%2e%2fsecret.txt', '%2E%2E%2Fsecret.txt',
  '%252e%252e/secret.txt', '%252e%252e%252fsecret.txt', '..%252fsecret.txt', '%2e%2e%252fsecret.txt',
  '..%5csecret.txt', '..%5Csecret.txt', '%2e%2e%5csecret.txt', '%5c..%5csecret.txt', '..%255csecret.txt',
  '.%2e/secret.txt', '%2e./secret.txt', '....//secret.txt', '.../secret.txt', 'docs/../../secret.txt',
  'docs/%2e%2e/%2e%2e/secret.txt', 'docs/./../../secret.txt', 'hello.txt/../../secret.txt', 'hello.txt%2f..%2f..%2fsecret.txt',
  'noindex/..%2f..%2fsecret.txt', '..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2fsecret.txt',
  '%00../secret.txt', '..%00/secret.txt', '.%00./secret.txt', 'hello.txt%00.png', '%0a../secret.txt', '..%0d%0a/secret.txt',
  '/etc/passwd', '%2fetc%2fpasswd', '//..%2fsecret.txt', '%2f%2e%2e%2fsecret.txt',
  '%c0%ae%c0%ae/secret.txt', '%e0%80%ae%e0%80%ae/secret.txt', '..%c0%afsecret.txt', '..%ef%bc%8fsecret.txt', '%u002e%u002e/secret.txt',
  '%%32%65%%32%65/secret.txt', '..;/secret.txt', 'C:%5csecret.txt', 'C:/secret.txt',
  'link-out.txt', 'dir-out/secret.txt', 'dir-out%2fsecret.txt', 'fifo', 'fifo%2f',
  '.env', '%2eenv', '.hidden/file.txt', '%2ehidden%2ffile.txt', 'env-link', 'docs/..%2f.env',
] as const;

let fx: StaticFixture;
beforeAll(() => {
  fx = makeFixture();
  mkfifoSync(join(fx.root, 'fifo'));
});
afterAll(() => fx.cleanup());

function appFor(transport: 'native' | 'js' | undefined, options = {}): App {
  const app = new App({ logger: false, ...(transport === undefined ? {} : { transport }) });
  app.get('/s/*', serveStatic(fx.root, options));
  return app;
}

function expectRefused(status: number, body: string, target: string): void {
  expect([400, 403, 404], `${target} → ${status}`).toContain(status);
  expect(body, target).not.toContain(fx.secretText);
  expect(body, target).not.toContain('SECRET=1');
  expect(body, target).not.toContain('root:');
}

describe('path traversal table', () => {
  it(`has at least 40 hostile paths (${HOSTILE.length})`, () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(40);
  });

  it('every hostile path is refused (inject)', async () => {
    const app = appFor(undefined);
    for (const t of HOSTILE) {
      const res = await inject(app, `/s/${t}`);
      expectRefused(res.status, res.text(), t);
    }
  });

  it.each(TRANSPORTS)('every hostile path is refused on real sockets (%s)', async (transport) => {
    const server: TestServer = await startTestServer(appFor(transport));
    try {
      for (const t of HOSTILE) {
        const r = await rawRequest(server.port, `GET /s/${t} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
        const res = r.responses[0];
        if (res === undefined) {
          // the parser refused the target outright: nothing or a bare 400
          expect(r.raw.toString('latin1')).not.toContain(fx.secretText);
          continue;
        }
        expectRefused(res.status, res.text(), t);
      }
    } finally {
      await server.close();
    }
  });

  it('dotfiles: deny is 403, allow serves, symlinks out are served only with followSymlinks', async () => {
    expect((await inject(appFor(undefined, { dotfiles: 'deny' }), '/s/.env')).status).toBe(403);
    expect((await inject(appFor(undefined, { dotfiles: 'deny' }), '/s/env-link')).status).toBe(403);
    expect((await inject(appFor(undefined, { dotfiles: 'allow' }), '/s/.env')).text()).toBe('SECRET=1');
    const follow = appFor(undefined, { followSymlinks: true });
    expect((await inject(follow, '/s/link-out.txt')).text()).toBe(fx.secretText);
    expect((await inject(appFor(undefined), '/s/link-in.txt')).text()).toBe('hello world');
    // a literal directory named "%2e%2e" (the double-encoded form decoded once) is an ordinary name
    expect((await inject(appFor(undefined), '/s/%252e%252e/x.txt')).text()).toBe('literal percent dir');
  });
});

describe('path resolution properties (seeded)', () => {
  const PIECES = ['..', '.', '', '%2e', 'docs', 'hello.txt', 'secret.txt', '\0', '\\', 'link-out.txt', 'dir-out', '.env', 'env-link', 'fifo', 'outside', '..\\..', 'C:', '\n'];

  it('resolveUnder never yields a path outside the root, a dotfile or a special file (5,000 seeded paths)', () => {
    const rnd = prng(13);
    const root = realpathSync.native(fx.root);
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(rnd() * 6);
      const parts: string[] = [];
      for (let k = 0; k < n; k++) parts.push(PIECES[Math.floor(rnd() * PIECES.length)]!);
      const rel = parts.join(rnd() < 0.8 ? '/' : '');
      const segs = pathSegments(rel);
      if (segs === null) continue;
      const r = resolveUnder(root, segs, 'ignore', false);
      if (r.kind === 'file' || r.kind === 'directory') {
        expect(r.path === root || r.path.startsWith(root + sep), rel).toBe(true);
        expect(r.path.slice(root.length).split(sep).some((s) => s.startsWith('.')), rel).toBe(false);
        if (r.kind === 'file') expect(r.stat.isFile()).toBe(true);
      }
    }
  });

  it('random hostile request targets never get the secret (2,000 seeded, inject)', async () => {
    const app = appFor(undefined);
    const rnd = prng(1313);
    const ENC = ['..', '%2e%2e', '%2e', '.', '%2f', '/', '%5c', '%252e', '%00', 'docs', 'secret.txt', 'hello.txt', 'dir-out', 'link-out.txt', '.env', '%c0%ae', ';', '%'];
    for (let i = 0; i < 2000; i++) {
      let t = '';
      const n = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < n; k++) t += ENC[Math.floor(rnd() * ENC.length)]!;
      const res = await inject(app, `/s/${t}`);
      expect([200, 301, 400, 403, 404], t).toContain(res.status);
      expect(res.text(), t).not.toContain(fx.secretText);
      expect(res.text(), t).not.toContain('SECRET=1');
    }
  });
});
