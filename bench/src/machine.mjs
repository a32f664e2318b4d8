// @ts-check
/** What machine and which tool versions a run was on. */
import os from 'node:os';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { BENCH_DIR, PEERS_DIR } from './servers.mjs';

/**
 * @typedef {{ nproc: number, cpuModel: string, kernel: string, loadAverage: number[], versions: Record<string, string> }} MachineInfo
 */

/**
 * First line of a command's output (stdout, else stderr), or "not installed".
 * @param {string} cmd
 * @param {string[]} args
 * @returns {string}
 */
function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  if (r.error) return 'not installed';
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim();
  return text.split('\n')[0]?.trim() || 'unknown';
}

/**
 * Version of an npm package as installed for the bench package.
 * @param {string} name
 */
function npmVersion(name) {
  try {
    const req = createRequire(path.join(BENCH_DIR, 'package.json'));
    let dir = path.dirname(req.resolve(name));
    while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
      const up = path.dirname(dir);
      if (up === dir) return 'not installed';
      dir = up;
    }
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/**
 * Collects machine facts and versions.
 * @returns {MachineInfo}
 */
export function machineInfo() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const bun = path.join(PEERS_DIR, 'node_modules', 'bun', 'bin', 'bun.exe');
  const deno = path.join(PEERS_DIR, 'node_modules', 'deno', 'deno');
  return {
    nproc: os.availableParallelism(),
    cpuModel: model.trim(),
    kernel: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg(),
    versions: {
      node: process.version,
      wrk: firstLine('wrk', ['-v']).replace(/^wrk\s+/, '').replace(/\s+Copyright.*$/, ''),
      go: firstLine('go', ['version']).replace(/^go version\s+/, ''),
      bun: existsSync(bun) ? firstLine(bun, ['--version']) : firstLine('bun', ['--version']),
      deno: (existsSync(deno) ? firstLine(deno, ['--version']) : firstLine('deno', ['--version'])).replace(/^deno\s+/, ''),
      nginx: firstLine(existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx', ['-v']).replace(/^nginx version:\s+/, ''),
      fastify: npmVersion('fastify'),
      hono: npmVersion('hono'),
      '@hono/node-server': npmVersion('@hono/node-server'),
    },
  };
}
