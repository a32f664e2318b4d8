// @ts-check
/**
 * The `c-floor` server of the streaming scenarios (bench/servers/c-floor/c-floor.c): compiled with the
 * machine's C compiler into .peers/c-floor (gitignored) when its binary is missing or older than its
 * source, like the Go peers are built into .peers/go.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, PEERS_DIR } from '../servers.mjs';

const SOURCE = path.join(BENCH_DIR, 'servers', 'c-floor', 'c-floor.c');
const BINARY = path.join(PEERS_DIR, 'c-floor', 'c-floor');

/**
 * The launch of c-floor, building it first when needed; a string (the reason) when it cannot be built.
 * @returns {{ command: string, args: string[] } | string}
 */
export function cFloorLaunch() {
  const cc = process.env.CC ?? 'cc';
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(SOURCE).mtimeMs) {
    mkdirSync(path.dirname(BINARY), { recursive: true });
    try {
      execFileSync(cc, ['-O2', '-Wall', '-o', BINARY, SOURCE], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      return `${cc} could not build servers/c-floor: ${/** @type {Error} */ (e).message.split('\n').slice(0, 3).join(' ')}`;
    }
  }
  return { command: BINARY, args: [] };
}
