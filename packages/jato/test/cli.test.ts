import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, get, packageDir } from './cli-support.js';

const running: CliProcess[] = [];
const tempDirs: string[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function jato(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliProcess {
  const p = CliProcess.run(args, options);
  running.push(p);
  return p;
}

describe('jato CLI', () => {
  it('--help prints usage and exits 0', async () => {
    const p = jato(['--help']);
    expect(await p.exited()).toEqual({ code: 0, signal: null });
    expect(p.stdout).toContain('jato serve <entry>');
    expect(p.stdout).toContain('jato dev <entry>');
  });

  it('exits 1 with a clear message on a bad command line, a missing file, or a module without an App', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['launch', 'x.js'], /^jato: unknown command 'launch'/],
      [['serve', 'test/cli-fixtures/missing.js'], /^jato: cannot find the entry file test\/cli-fixtures\/missing\.js/],
      [['serve', 'test/cli-fixtures/not-an-app.ts', '--port', '0'], /must export a jato App as its default export or as 'app' \(default export is an object without listen\(\) \(keys: name\)/],
    ];
    for (const [args, message] of cases) {
      const p = jato(args);
      expect(await p.exited()).toEqual({ code: 1, signal: null });
      expect(p.stderr).toMatch(message);
      expect(p.stderr).not.toMatch(/\n\s+at /); // no stack trace for user errors
    }
  });

  it('serve listens on the requested host and port, answers, and exits 0 on SIGTERM', async () => {
    const p = jato(['serve', 'test/cli-fixtures/app.ts', '--port', '0', '--host', '127.0.0.1']);
    const url = await p.listening();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await get(`${url}/`);
    expect(res).toEqual({ status: 200, body: `hello from ${p.child.pid}` });
    const slow = get(`${url}/slow`);
    await p.until('the slow request to be in flight', () => (p.stdout.includes('slow request received') ? true : undefined));
    p.child.kill('SIGTERM');
    expect(await slow).toEqual({ status: 200, body: 'slow done' });
    expect(await p.exited()).toEqual({ code: 0, signal: null });
  });

  it('serve --workers 2 answers from two worker processes on one port and drains on SIGTERM', async () => {
    const p = jato(['serve', 'test/cli-fixtures/app.ts', '--port', '0', '--host', '127.0.0.1', '--workers', '2']);
    const url = await p.listening();
    const bodies = await Promise.all(Array.from({ length: 40 }, () => get(`${url}/`)));
    const pids = new Set(bodies.map((b) => b.body));
    expect(pids.size).toBe(2);
    expect(pids.has(`hello from ${p.child.pid}`)).toBe(false);
    expect(p.stdout.match(/jato listening on/g)?.length).toBe(1);
    p.child.kill('SIGTERM');
    expect(await p.exited()).toEqual({ code: 0, signal: null });
  });

  it('serve reports a port in use clearly', async () => {
    const first = jato(['serve', 'test/cli-fixtures/app.ts', '--port', '0', '--host', '127.0.0.1']);
    const url = await first.listening();
    const port = new URL(url).port;
    const second = jato(['serve', 'test/cli-fixtures/app.ts', '--port', port, '--host', '127.0.0.1']);
    expect(await second.exited()).toEqual({ code: 1, signal: null });
    expect(second.stderr).toMatch(new RegExp(`^jato: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
  });

  it('dev restarts the app when a watched file changes, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jato-dev-'));
    tempDirs.push(dir);
    const core = pathToFileURL(path.join(packageDir, '..', 'core', 'src', 'index.ts')).href;
    const source = (version: string) =>
      `import { App } from ${JSON.stringify(core)};\nconst app = new App();\napp.get('/', () => '${version}');\nexport default app;\n`;
    const entry = path.join(dir, 'app.ts');
    writeFileSync(entry, source('v1'));
    const p = jato(['dev', entry, '--port', '0', '--host', '127.0.0.1']);
    const first = await p.listening(1);
    expect(await get(`${first}/`)).toEqual({ status: 200, body: 'v1' });
    writeFileSync(entry, source('v2'));
    const second = await p.listening(2);
    expect(await get(`${second}/`)).toEqual({ status: 200, body: 'v2' });
    expect(p.stderr).toMatch(/jato dev: .*app\.ts changed, restarting/);
    p.child.kill('SIGTERM');
    expect(await p.exited()).toEqual({ code: 0, signal: null });
  });

  it('dev waits for a fix after the app fails to start, then serves it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jato-dev-'));
    tempDirs.push(dir);
    const core = pathToFileURL(path.join(packageDir, '..', 'core', 'src', 'index.ts')).href;
    const entry = path.join(dir, 'app.ts');
    writeFileSync(entry, `throw new Error('broken on purpose');\n`);
    const p = jato(['dev', entry, '--port', '0', '--host', '127.0.0.1']);
    await p.until('the crash report', () => (/app exited with code 1; waiting for changes/.test(p.stderr) ? true : undefined));
    expect(p.stderr).toContain('broken on purpose');
    writeFileSync(entry, `import { App } from ${JSON.stringify(core)};\nexport const app = new App();\napp.get('/', () => 'fixed');\n`);
    const url = await p.listening(1);
    expect(await get(`${url}/`)).toEqual({ status: 200, body: 'fixed' });
    p.child.kill('SIGTERM');
    expect(await p.exited()).toEqual({ code: 0, signal: null });
  });
});
