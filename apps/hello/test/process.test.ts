import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** Start `node apps/hello` (its built main) and wait for the listening line. */
async function startHello(env: Record<string, string>) {
  const child = spawn(process.execPath, ['.'], {
    cwd: appDir,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /jato listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hello exited with ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err };
}

describe('node apps/hello', () => {
  it.each([['1'], ['2']])('starts with WORKERS=%s, serves, and exits 0 on SIGTERM', async (workers) => {
    const { child, url } = await startHello({ WORKERS: workers });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const results = await Promise.all(Array.from({ length: 8 }, () => fetch(`${url}/`).then((r) => r.text())));
      expect(results).toEqual(Array(8).fill('Hello world!'));
      expect(await (await fetch(`${url}/json`)).json()).toEqual({ message: 'Hello, World!' });
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    }
  });
});
