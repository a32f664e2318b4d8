// @ts-check
/**
 * The catalog of servers the bench can measure: jato (apps/hello) and the peers. Each entry says how
 * to find its runtime, how to prepare it (build, config) and what to install when it is missing.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench package's folder. */
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root. */
export const REPO_DIR = path.resolve(BENCH_DIR, '..');
/** Where setup puts runtimes that are not workspace dependencies (gitignored). */
export const PEERS_DIR = path.join(BENCH_DIR, '.peers');

const SETUP = 'pnpm bench:setup';

/**
 * A server ready to start, or the reason it cannot be.
 * @typedef {{ ok: true, launch: import('./server-process.mjs').LaunchSpec, note?: string }
 *   | { ok: false, reason: string, install: string }} Resolution
 */

/**
 * One catalog entry.
 * @typedef {{
 *   id: string,
 *   label: string,
 *   jato: boolean,
 *   paths: string[],
 *   resolve: () => Resolution,
 * }} ServerDef
 */

/**
 * First existing executable among candidates, or one found on PATH.
 * @param {string[]} files
 * @param {string} [onPath]
 * @returns {string | undefined}
 */
function findExecutable(files, onPath) {
  for (const f of files) if (existsSync(f)) return f;
  if (onPath) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const f = path.join(dir, onPath);
      if (dir && existsSync(f)) return f;
    }
    for (const dir of ['/usr/sbin', '/sbin', '/usr/local/sbin']) {
      const f = path.join(dir, onPath);
      if (existsSync(f)) return f;
    }
  }
  return undefined;
}

/**
 * Whether a package resolves from the bench package.
 * @param {string} name
 */
function resolvable(name) {
  try {
    createRequire(path.join(BENCH_DIR, 'package.json')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} file */
const node = (file) => ({ command: process.execPath, args: [path.join(BENCH_DIR, 'servers', file)], cwd: BENCH_DIR });

/**
 * A Node server of bench/servers that needs npm packages (the bench's dependencies).
 * @param {string} file
 * @param {string[]} packages
 * @returns {Resolution}
 */
function nodePeer(file, packages) {
  return packages.every(resolvable)
    ? { ok: true, launch: node(file) }
    : { ok: false, reason: `${packages.join(' or ')} is not installed`, install: 'pnpm install' };
}

/**
 * A jato server of bench/servers (needs packages/jato built, and `packages` installed).
 * @param {string} file
 * @param {string[]} [packages]
 * @returns {Resolution}
 */
function jatoPeer(file, packages = []) {
  return existsSync(path.join(REPO_DIR, 'packages', 'jato', 'dist', 'index.js')) && packages.every(resolvable)
    ? { ok: true, launch: { ...node(file), env: { HOST: '127.0.0.1' } } }
    : {
        ok: false,
        reason: `packages/jato is not built${packages.length > 0 ? ` or ${packages.join(' or ')} is not installed` : ''}`,
        install: 'pnpm install && pnpm build',
      };
}

/**
 * A server of bench/servers run by Bun (bench/.peers or PATH).
 * @param {string} file
 * @param {{ cwd?: string }} [extra]
 * @returns {Resolution}
 */
function bunServer(file, extra = {}) {
  const bin = findExecutable([path.join(PEERS_DIR, 'node_modules', 'bun', 'bin', 'bun.exe')], 'bun');
  if (!bin) return { ok: false, reason: 'bun is not installed', install: `${SETUP}   (or: npm install --prefix bench/.peers bun@1.4.5)` };
  return { ok: true, launch: { command: bin, args: [path.join(BENCH_DIR, 'servers', file)], ...extra, env: { HOST: '127.0.0.1' } } };
}

/**
 * A server of bench/servers run by Deno (bench/.peers or PATH) with the given permissions.
 * @param {string} file
 * @param {string[]} allow e.g. ['--allow-net', '--allow-env']
 * @param {{ cwd?: string }} [extra]
 * @returns {Resolution}
 */
function denoServer(file, allow, extra = {}) {
  const bin = findExecutable([path.join(PEERS_DIR, 'node_modules', 'deno', 'deno')], 'deno');
  if (!bin) return { ok: false, reason: 'deno is not installed', install: `${SETUP}   (or: npm install --prefix bench/.peers deno@2.9.6)` };
  return {
    ok: true,
    launch: {
      command: bin,
      args: ['run', '--quiet', ...allow, path.join(BENCH_DIR, 'servers', file)],
      ...extra,
      env: { HOST: '127.0.0.1', DENO_NO_UPDATE_CHECK: '1' },
    },
  };
}

/**
 * Builds a Go server into .peers/go in GOPATH mode over Debian's packaged sources, when its binary is
 * missing or older than its source.
 * @param {string} name folder under servers/
 * @returns {Resolution}
 */
function goServer(name) {
  const install = 'sudo apt-get install -y golang-go golang-github-valyala-fasthttp-dev   (or: ' + SETUP + ')';
  const bin = path.join(PEERS_DIR, 'go', name);
  const src = path.join(BENCH_DIR, 'servers', name);
  const go = findExecutable([], 'go');
  const env = { GOMAXPROCS: '1' };
  if (existsSync(bin)) return { ok: true, launch: { command: bin, args: [], env } };
  if (!go) return { ok: false, reason: 'Go is not installed', install };
  try {
    buildGo(go, src, bin);
  } catch (e) {
    return { ok: false, reason: `go build failed: ${/** @type {Error} */ (e).message.split('\n').slice(0, 4).join(' ')}`, install };
  }
  return { ok: true, launch: { command: bin, args: [], env } };
}

/**
 * `go build` of one server folder in GOPATH mode (GOPATH=/usr/share/gocode, GO111MODULE=off).
 * @param {string} go
 * @param {string} srcDir
 * @param {string} outFile
 */
export function buildGo(go, srcDir, outFile) {
  mkdirSync(path.dirname(outFile), { recursive: true });
  execFileSync(go, ['build', '-o', outFile, '.'], {
    cwd: srcDir,
    env: { ...process.env, GOPATH: process.env.JATO_GOPATH ?? '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Writes nginx.conf into a fresh temp prefix.
 * @returns {Resolution}
 */
function nginxServer() {
  const install = 'sudo apt-get install -y nginx   (or: ' + SETUP + ')';
  const bin = findExecutable([], 'nginx');
  if (!bin) return { ok: false, reason: 'nginx is not installed', install };
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'jato-bench-nginx-'));
  const template = readFileSync(path.join(BENCH_DIR, 'servers', 'nginx.conf'), 'utf8');
  // The port is only known at start: the launcher substitutes it through a tiny shell wrapper.
  writeFileSync(path.join(prefix, 'nginx.conf.in'), template.replaceAll('__PREFIX__', prefix));
  const script = 'sed "s/__PORT__/$PORT/g" "$1/nginx.conf.in" > "$1/nginx.conf" && exec "$2" -p "$1" -e "$1/error.log" -c "$1/nginx.conf"';
  const cleanup = () => rmSync(prefix, { recursive: true, force: true });
  const display = `${bin} -p PREFIX -e PREFIX/error.log -c PREFIX/nginx.conf   # PREFIX: a temp dir; nginx.conf: bench/servers/nginx.conf filled in`;
  return { ok: true, launch: { command: 'sh', args: ['-c', script, 'nginx-launch', prefix, bin], cleanup, display } };
}

/** @returns {Resolution} */
function jatoServer() {
  const hello = path.join(REPO_DIR, 'apps', 'hello');
  if (existsSync(path.join(hello, 'dist', 'index.js'))) {
    return {
      ok: true,
      launch: { command: process.execPath, args: [hello], env: { HOST: '127.0.0.1', WORKERS: '1' }, cwd: REPO_DIR },
    };
  }
  return { ok: false, reason: 'apps/hello is not built (apps/hello/dist/index.js is missing)', install: 'pnpm install && pnpm build' };
}

/** @type {ServerDef[]} */
export const SERVERS = [
  { id: 'jato', label: 'jato', jato: true, paths: ['/', '/json', '/params/42', '/async'], resolve: jatoServer },
  {
    id: 'native-loop-raw',
    label: 'jato native-loop (raw)',
    jato: true,
    paths: ['/'],
    resolve: () => {
      const file = path.join(BENCH_DIR, 'servers', 'native-loop-raw.mjs');
      if (!existsSync(file)) return { ok: false, reason: 'bench/servers/native-loop-raw.mjs does not exist yet', install: 'pnpm build' };
      return { ok: true, launch: { ...node('native-loop-raw.mjs'), env: { HOST: '127.0.0.1' } } };
    },
  },
  { id: 'node-http', label: 'node:http', jato: false, paths: ['/'], resolve: () => ({ ok: true, launch: node('node-http.mjs') }) },
  { id: 'fastify', label: 'fastify', jato: false, paths: ['/'], resolve: () => nodePeer('fastify.mjs', ['fastify']) },
  { id: 'hono', label: 'hono (node-server)', jato: false, paths: ['/'],
    resolve: () => nodePeer('hono.mjs', ['hono', '@hono/node-server']) },
  { id: 'bun', label: 'Bun.serve', jato: false, paths: ['/'], resolve: () => bunServer('bun-serve.mjs') },
  { id: 'deno', label: 'Deno.serve', jato: false, paths: ['/'],
    resolve: () => denoServer('deno-serve.mjs', ['--allow-net', '--allow-env']) },
  // issue 12: three middlewares (request id, CORS, a no-op auth check) on `/`, same in each framework
  { id: 'jato-middleware', label: 'jato + 3 middlewares', jato: true, paths: ['/'], resolve: () => jatoPeer('jato-middleware.mjs') },
  { id: 'fastify-middleware', label: 'fastify + 3 middlewares', jato: false, paths: ['/'],
    resolve: () => nodePeer('fastify-middleware.mjs', ['fastify']) },
  { id: 'hono-middleware', label: 'hono + 3 middlewares', jato: false, paths: ['/'],
    resolve: () => nodePeer('hono-middleware.mjs', ['hono', '@hono/node-server']) },
  // issue 15: the same Hono app (GET / text, /json, /user/:id) on jato serve({ fetch }) and its peers
  { id: 'jato-fetch-hono', label: 'Hono on jato serve({ fetch })', jato: true, paths: ['/', '/json', '/user/42'],
    resolve: () => jatoPeer('jato-fetch-hono.mjs', ['hono']) },
  { id: 'hono-node-app', label: 'Hono on @hono/node-server', jato: false, paths: ['/', '/json', '/user/42'],
    resolve: () => nodePeer('hono-node-app.mjs', ['hono', '@hono/node-server']) },
  { id: 'bun-hono', label: 'Hono on Bun.serve', jato: false, paths: ['/', '/json', '/user/42'],
    resolve: () => bunServer('bun-hono.mjs', { cwd: BENCH_DIR }) },
  { id: 'deno-hono', label: 'Hono on Deno.serve', jato: false, paths: ['/', '/json', '/user/42'],
    resolve: () => denoServer('deno-hono.mjs', ['--allow-net', '--allow-env', '--allow-read'], { cwd: BENCH_DIR }) },
  { id: 'go-fasthttp', label: 'Go fasthttp', jato: false, paths: ['/'], resolve: () => goServer('go-fasthttp') },
  { id: 'go-nethttp', label: 'Go net/http', jato: false, paths: ['/'], resolve: () => goServer('go-nethttp') },
  { id: 'nginx', label: 'nginx', jato: false, paths: ['/'], resolve: nginxServer },
];

/**
 * Looks a server up by id.
 * @param {string} id
 * @returns {ServerDef}
 */
export function serverById(id) {
  const s = SERVERS.find((x) => x.id === id);
  if (!s) throw new Error(`unknown server "${id}"; known: ${SERVERS.map((x) => x.id).join(', ')}`);
  return s;
}
