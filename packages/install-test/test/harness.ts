/**
 * The packaging tests' tools: a fresh project outside the workspace, the package managers run the
 * way a user runs them (clean environment, empty user config), and the README example started under a
 * runtime and asked the README's three routes on a loopback ephemeral port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';

/** The README's example, on an ephemeral loopback port; prints one JSON line once it listens. */
export const EXAMPLE = `import { createRequire } from 'node:module';
import { App, Response } from 'jato';

const app = new App();
app.get('/', () => 'Hello world!');
app.get('/users/:id', (req) => ({ id: req.params.id }));
app.post('/echo', async (req) => new Response(await req.bytes()));
const server = await app.listen({ port: 0, host: '127.0.0.1' });
let parserAddon = false;
try {
  parserAddon = Object.keys(createRequire(import.meta.url).cache ?? {}).some((f) => f.endsWith('jato_parser.node'));
} catch {}
console.log(JSON.stringify({ port: server.port, transport: server.transport, parserAddon }));
`;

const scratch: string[] = [];

/** A temp directory removed by `removeScratch()`. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Removes every temp directory the helpers made (each test file calls it in afterAll). */
export function removeScratch(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A new empty project directory (under `parent`, default a fresh temp dir) with the example in it. */
export function makeProject(name = 'app', parent?: string): string {
  if (parent === 'temp') parent = path.join(tempDir('jato-install-'), 'my projects');
  const base = parent ?? tempDir('jato-install-');
  const dir = path.join(base, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }, null, 2));
  writeFileSync(path.join(dir, 'example.mjs'), EXAMPLE);
  return dir;
}

/**
 * A new project (as `makeProject(name)`) with the packed tarballs and this platform's prebuilt
 * installed by npm, plus the `extra` packages; throws with npm's stderr when the install fails.
 */
export function installedProject(name = 'app', extra: string[] = []): string {
  const dir = makeProject(name);
  const r = npm(dir, ['install', ...inject('tarballs'), inject('prebuiltTarball'), ...extra]);
  if (r.status !== 0) throw new Error(r.stderr);
  return dir;
}

/** npm's CLI script (the one that came with this Node). */
export function npmCli(): string {
  const beside = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (existsSync(beside)) return beside;
  const found = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8', env: cleanEnv() }).stdout.trim();
  return realpathSync(found);
}

/** The environment of a user's shell: no npm/pnpm variables of the running test, an empty npmrc. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$|VITEST|TURBO_)/i.test(k)) continue;
    env[k] = v;
  }
  const home = tempDir('jato-npmrc-');
  writeFileSync(path.join(home, '.npmrc'), 'fund=false\naudit=false\nupdate-notifier=false\n');
  env['npm_config_userconfig'] = path.join(home, '.npmrc');
  env['PATH'] = (env['PATH'] ?? '')
    .split(path.delimiter)
    .filter((d) => !d.includes(`${path.sep}node_modules${path.sep}`))
    .join(path.delimiter);
  return { ...env, ...extra };
}

/** A PATH holding only node, npm and sh: a machine without make, a C++ compiler or python. */
export function pathWithoutToolchain(): string {
  const bin = tempDir('jato-bin-');
  symlinkSync(process.execPath, path.join(bin, 'node'));
  symlinkSync(npmCli(), path.join(bin, 'npm'));
  symlinkSync('/bin/sh', path.join(bin, 'sh'));
  return bin;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `npm <args>` in `cwd`, as a user runs it. */
export function npm(cwd: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Run {
  const r = spawnSync(process.execPath, [npmCli(), ...args], { cwd, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface ExampleRun {
  transport: string;
  parserAddon: boolean;
  answers: { root: string; user: unknown; echo: string };
  stderr: string;
}

/** Starts the example with `cmd args` in `cwd`, asks its three routes, stops it with SIGTERM. */
export async function runExample(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<ExampleRun> {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let result: Omit<ExampleRun, 'stderr'>;
  try {
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const nl = stdout.indexOf('\n');
        if (nl >= 0) resolve(stdout.slice(0, nl));
      });
      child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code} before listening:\n${stderr}`)));
      child.on('error', reject);
    });
    const { port, transport, parserAddon } = JSON.parse(line) as { port: number; transport: string; parserAddon: boolean };
    const base = `http://127.0.0.1:${port}`;
    const root = await (await fetch(`${base}/`)).text();
    const user = await (await fetch(`${base}/users/42`)).json();
    const echo = await (await fetch(`${base}/echo`, { method: 'POST', body: 'ping' })).text();
    result = { transport, parserAddon, answers: { root, user, echo } };
  } finally {
    child.kill('SIGTERM');
    await closed;
  }
  return { ...result, stderr };
}

/** Lines of `text` containing `needle`. */
export function linesWith(text: string, needle: string): string[] {
  return text.split('\n').filter((l) => l.includes(needle));
}
