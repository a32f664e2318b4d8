// @ts-check
/**
 * Starting and stopping one server process: pinned with taskset, in its own process group so the
 * whole tree stops together, ready once its port accepts a connection.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';

/**
 * How to start one server.
 * cleanup: removes what preparing the launch left behind (a temp config folder), after the server stopped.
 * display: the command as the report shows it, when the real one is a wrapper.
 * @typedef {{ command: string, args: string[], env?: Record<string, string>, cwd?: string, cleanup?: () => void, display?: string }} LaunchSpec
 */

/**
 * A started server.
 * @typedef {{ pid: number, port: number, output: () => string, exited: () => boolean, stop: () => Promise<void> }} RunningServer
 */

/** Process groups of servers still running, killed if the bench itself exits early. */
const liveGroups = new Set();
let exitHookInstalled = false;

/** Kills every server group still running (synchronous: safe in an 'exit' handler). */
export function killAllServers() {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveGroups.clear();
}

/**
 * A TCP port that was free a moment ago (bound to port 0 on 127.0.0.1 and released).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Resolves true once a connection to the port succeeds.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts a server and waits until its port accepts connections (or it exits, or the deadline passes).
 * @param {LaunchSpec} spec
 * @param {{ port: number, cpu?: number | undefined, readyTimeoutMs?: number }} opts
 *   cpu: pin the server (and every thread/child it starts) to this CPU with `taskset -c`.
 * @returns {Promise<RunningServer>}
 */
export async function startServer(spec, opts) {
  const pinned = opts.cpu === undefined ? [spec.command, ...spec.args] : ['taskset', '-c', String(opts.cpu), spec.command, ...spec.args];
  const child = spawn(/** @type {string} */ (pinned[0]), pinned.slice(1), {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, PORT: String(opts.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const keep = (/** @type {Buffer} */ b) => {
    out = (out + b.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  /** @type {string | undefined} */
  let spawnError;
  const exit = new Promise((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve(undefined);
    });
    child.once('error', (e) => {
      spawnError = e.message;
      exited = true;
      resolve(undefined);
    });
  });
  const pid = child.pid ?? -1;
  if (pid > 0) {
    liveGroups.add(pid);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', killAllServers);
    }
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const signal = (/** @type {NodeJS.Signals} */ sig) => {
      try {
        process.kill(-pid, sig); // the whole process group
      } catch {
        // already gone
      }
    };
    if (!exited) {
      signal('SIGTERM');
      const t = setTimeout(() => signal('SIGKILL'), 3000);
      await exit;
      clearTimeout(t);
    }
    signal('SIGKILL'); // leftovers of the group (children that ignored SIGTERM or outlived the leader)
    liveGroups.delete(pid);
    spec.cleanup?.();
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`server exited before listening: ${spawnError ?? (out.trim().slice(-800) || '(no output)')}`);
    }
    if (await canConnect(opts.port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not listening on port ${opts.port} after ${opts.readyTimeoutMs ?? 20_000} ms: ${out.trim().slice(-800)}`);
    }
    await new Promise((r) => setTimeout(r, 50)); // readiness poll, bounded by the deadline above
  }
  return { pid, port: opts.port, output: () => out, exited: () => exited, stop };
}
