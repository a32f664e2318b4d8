// The README's Hono hello example ("only the import of serve changes"), taken from the README as
// written, run by Node from a file in this package (so `jato` and `hono` resolve as in a user's
// project), on port 0 instead of 3000; then asked over a real socket and stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

function readmeExample(): string {
  const readme = readFileSync(path.join(here, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Fetch handlers (Hono and friends) on jato'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('no ts block in the README section');
  return block[1]!;
}

it("runs Hono's hello example with only the import of serve changed", async () => {
  const code = readmeExample();
  expect(code).toContain("import { serve } from 'jato'");
  expect(code).toContain('port: 3000');
  const file = path.join(here, `.readme-hono-${process.pid}.mjs`);
  writeFileSync(file, code.replace('port: 3000', 'port: 0'));
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /Server is running on http:\/\/localhost:(\d+)/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'text/plain;charset=UTF-8', 'Hello Hono!']);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0); // graceful close on SIGTERM, as App.listen
    expect(stderr).toBe('');
  } finally {
    child.kill('SIGKILL');
    rmSync(file, { force: true });
  }
});
