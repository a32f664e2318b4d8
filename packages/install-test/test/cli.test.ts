/**
 * The installed `jato` CLI as users run it: `.ts` entries on Node 20 with the recommended tsx, on
 * Node 22 with Node's own type stripping (honouring the nearest package.json's `type`), `jato info`,
 * and `npx jato serve` stopped with SIGTERM leaving no orphan.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanEnv, installedProject, npmCli, removeScratch } from './harness.js';
import { nodeFromNpm } from './runtimes.js';

afterAll(removeScratch);

const APP_TS = `import { App } from 'jato';
const app = new App();
app.get('/', (): string => 'Hello world!');
process.stdout.write('pid ' + process.pid + '\\n');
export default app;
`;
const APP_CTS = `const { App } = require('jato');
const app = new App();
app.get('/', (): string => 'Hello world!');
module.exports = app;
`;

let app: string;
beforeAll(() => {
  app = installedProject();
  writeFileSync(path.join(app, 'app.ts'), APP_TS);
});

const node22 = (): string => nodeFromNpm('22.23.3');

/** Runs `cmd args` in `cwd` until it prints `jato listening on URL`, GETs `/`, stops it; returns the body. */
async function serveOnce(
  cwd: string,
  cmd: string,
  args: string[],
): Promise<{ body: string; stderr: string; code: number | null; appPid?: number; cliPid?: number }> {
  const child = spawn(cmd, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string | undefined>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /jato listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('close', () => resolve(undefined));
  });
  if (url === undefined) return { body: '', stderr, code: await closed };
  const body = await (await fetch(`${url}/`)).text();
  child.kill('SIGTERM');
  const code = await closed;
  const appPid = /pid (\d+)/.exec(out)?.[1];
  return { body, stderr, code, ...(appPid ? { appPid: Number(appPid) } : {}), ...(child.pid ? { cliPid: child.pid } : {}) };
}

describe('the installed jato CLI', () => {
  test('Node 20 runs app.ts through the recommended tsx (tsx@4, tested with 4.23.15)', async () => {
    const withTsx = installedProject('app', ['tsx@4.23.15']);
    writeFileSync(path.join(withTsx, 'app.ts'), APP_TS);
    const r = await serveOnce(withTsx, process.execPath, ['node_modules/jato/dist/cli.js', 'serve', 'app.ts', '--port', '0', '--host', '127.0.0.1']);
    expect([r.body, r.code], r.stderr).toEqual(['Hello world!', 0]);
  });

  test('Node 20 without tsx: a clear error naming tsx@4', () => {
    const r = spawnSync(process.execPath, ['node_modules/jato/dist/cli.js', 'serve', 'app.ts', '--port', '0'], { cwd: app, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('npm i -D tsx@4');
  });

  test('Node 22 strips types itself: "type": "module" serves; "commonjs" gets a clear error for ESM, serves a CommonJS .ts', async () => {
    const node = node22();
    const manifest = path.join(app, 'package.json');
    const original = readFileSync(manifest, 'utf8');
    const ok = await serveOnce(app, node, ['node_modules/jato/dist/cli.js', 'serve', 'app.ts', '--port', '0', '--host', '127.0.0.1']);
    expect([ok.body, ok.code], ok.stderr).toEqual(['Hello world!', 0]);
    try {
      writeFileSync(manifest, JSON.stringify({ ...JSON.parse(original), type: 'commonjs' }));
      const bad = spawnSync(node, ['node_modules/jato/dist/cli.js', 'serve', 'app.ts'], { cwd: app, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/says "type": "commonjs"/);
      writeFileSync(path.join(app, 'cjs-app.ts'), APP_CTS);
      const cjs = await serveOnce(app, node, ['node_modules/jato/dist/cli.js', 'serve', 'cjs-app.ts', '--port', '0', '--host', '127.0.0.1']);
      expect([cjs.body, cjs.code], cjs.stderr).toEqual(['Hello world!', 0]);
    } finally {
      writeFileSync(manifest, original);
    }
  });

  test('Node 22.12 (type stripping behind a flag): jato re-runs itself with it, forwards SIGTERM, the child drains', async () => {
    const r = await serveOnce(app, nodeFromNpm('22.12.0'), ['node_modules/jato/dist/cli.js', 'serve', 'app.ts', '--port', '0', '--host', '127.0.0.1']);
    // the body came from the child; the parent's exit code 0 is the child's after the forwarded SIGTERM
    expect([r.body, r.code], r.stderr).toEqual(['Hello world!', 0]);
    expect(r.stderr).not.toContain('ExperimentalWarning');
    expect(r.appPid).not.toBe(r.cliPid); // the app ran in the child
    expect(() => process.kill(r.appPid!, 0)).toThrow(); // and it is gone once the CLI has exited
  });

  test('Node 22.12 without tsx and a CommonJS package: the clear "type" error, through the child', () => {
    const manifest = path.join(app, 'package.json');
    const original = readFileSync(manifest, 'utf8');
    try {
      writeFileSync(manifest, JSON.stringify({ ...JSON.parse(original), type: 'commonjs' }));
      const r = spawnSync(nodeFromNpm('22.12.0'), ['node_modules/jato/dist/cli.js', 'serve', 'app.ts'], { cwd: app, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/says "type": "commonjs"/);
    } finally {
      writeFileSync(manifest, original);
    }
  });

  test('jato info reports the prebuilt package and the native transport', () => {
    const r = spawnSync(process.execPath, ['node_modules/jato/dist/cli.js', 'info'], { cwd: app, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^prebuilt package: +@jato\/binding-\S+ installed$/m);
    expect(r.stdout).toMatch(/^transport \('auto'\): native \(addon: prebuilt\)$/m);
    expect(r.stdout).toMatch(/^SIMD: +\w+ \(CPU supports \w+; parser addon: prebuilt\)$/m);
  });

  test('`npx jato serve` ended with SIGTERM: the server exits too (no orphan)', async () => {
    writeFileSync(path.join(app, 'app.mjs'), APP_TS.replace("(): string", '()'));
    const npx = spawn(process.execPath, [npmCli(), 'exec', '--', 'jato', 'serve', 'app.mjs', '--port', '0', '--host', '127.0.0.1'], {
      cwd: app,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const npxClosed = new Promise((resolve) => npx.on('close', resolve));
    const pid = await new Promise<number>((resolve, reject) => {
      npx.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /pid (\d+)[\s\S]*jato listening on/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      npx.on('close', () => reject(new Error(`npx exited early: ${out}`)));
    });
    npx.kill('SIGTERM');
    await npxClosed;
    // the server notices its parent is gone (checked every 500 ms) and drains: bounded wait, 20 s
    const deadline = Date.now() + 20_000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        alive = false;
      }
    }
    if (alive) process.kill(pid, 'SIGKILL');
    expect(alive).toBe(false);
  });
});
