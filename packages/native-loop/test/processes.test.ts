import { type ChildProcess, fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test } from 'vitest';
import { GET, RawClient } from './helpers/raw-client.js';

const CHILD = fileURLToPath(new URL('./fixtures/raw-child.mjs', import.meta.url));
const children: ChildProcess[] = [];

function start(port: number, reusePort: boolean): Promise<{ child: ChildProcess; port: number; pid: number }> {
  const child = fork(CHILD, [String(port), reusePort ? '1' : '0'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    child.once('message', (m: { port: number; pid: number }) => resolve({ child, port: m.port, pid: m.pid }));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function askPid(port: number): Promise<string> {
  const c = await RawClient.connect(port);
  await c.write(GET('/pid', 'Connection: close\r\n'));
  const [r] = await c.untilEnd();
  c.destroy();
  return Buffer.from(r!.body).toString();
}

describe('processes (native)', () => {
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });

  test('two processes share one port with reusePort and both serve', async () => {
    const port = await freePort();
    const a = await start(port, true);
    const b = await start(port, true);
    expect(b.port).toBe(port);
    const seen = new Set<string>();
    for (let i = 0; i < 400 && seen.size < 2; i++) seen.add(await askPid(port));
    expect(seen).toEqual(new Set([String(a.pid), String(b.pid)]));
  });

  test('without reusePort a second process cannot bind the port', async () => {
    const a = await start(0, false);
    const child = fork(CHILD, [String(a.port), '0'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    children.push(child);
    expect(await exitOf(child)).not.toBe(0);
  });

  test('terminating a worker with an open server and live connections does not crash', async () => {
    const worker = new Worker(fileURLToPath(new URL('./fixtures/raw-worker.mjs', import.meta.url)));
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const c = await RawClient.connect(port);
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n'); // a partial request is buffered
    await worker.terminate();
    await c.untilEnd(); // the teardown closed the connection
    const d = await RawClient.connect(port).catch((e: Error) => e);
    expect(d).toBeInstanceOf(Error);
  });

  test('after close() no handle keeps the process alive', async () => {
    const a = await start(0, false);
    expect(await askPid(a.port)).toBe(String(a.pid));
    const c = await RawClient.connect(a.port); // an idle keep-alive connection is closed by close()
    a.child.send('close');
    await c.untilEnd();
    expect(await exitOf(a.child)).toBe(0);
  });
});
