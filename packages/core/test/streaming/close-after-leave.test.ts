// A graceful close right after a client left while its streamed response was open: the leave
// cancels the source and ends that response's bookkeeping, so close() finds nothing in flight and
// resolves at once instead of waiting out the grace period (both transports, real sockets).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { App, sse, type ListeningApp } from '../../src/index.js';
import { STREAM_TRANSPORTS } from './transports.js';

/** Grace given to close(): a close that waits it out is unmistakable next to the bound. */
const GRACE_MS = 30_000;
/** Generous for a busy 2-core machine; the defect makes it ~GRACE_MS. */
const PROMPT_MS = 5_000;

/** A promise with its resolve function. */
function later<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Opens `path` (with any `extraHeaders`, each ending in CRLF) and resolves with the socket once
 * `marker` arrived (the first event is out).
 */
function openUntil(port: number, path: string, marker: string, extraHeaders = ''): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(`GET ${path} HTTP/1.1\r\nHost: t\r\n${extraHeaders}\r\n`));
    let got = '';
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes(marker)) resolve(s);
    });
  });
}

/**
 * An app on `transport` whose `GET /events` streams one `sse()` event, then waits for the leave;
 * the source's `finally` resolves `left` with 'finally'.
 */
function leaveAwareSseApp(transport: (typeof STREAM_TRANSPORTS)[number], left: { resolve: (v: string) => void }): App {
  const app = new App({ transport, logger: false });
  app.get('/events', () =>
    sse(async function* (signal) {
      try {
        yield { id: '1', data: 'first' };
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      } finally {
        left.resolve('finally');
      }
    }, { heartbeat: 0 }),
  );
  return app;
}

async function timedClose(listening: ListeningApp): Promise<number> {
  const t0 = performance.now();
  await listening.close(GRACE_MS);
  return performance.now() - t0;
}

describe.each(STREAM_TRANSPORTS)('close() after a client left an open stream (%s transport)', (transport) => {
  let listening: ListeningApp | undefined;
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await listening?.close(500);
    listening = undefined;
  });

  it('sse(): after the source saw the leave, close(30 s) resolves well under the grace period', async () => {
    const left = later<string>();
    const app = leaveAwareSseApp(transport, left);
    listening = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    const c = await openUntil(listening.port, '/events', 'data: first');
    sockets.push(c);
    c.destroy();
    expect(await left.promise).toBe('finally');
    const l = listening;
    listening = undefined;
    expect(await timedClose(l)).toBeLessThan(PROMPT_MS);
  }, 60_000);

  it('ReadableStream: close(30 s) called in the same turn as the source is cancelled resolves well under the grace period', async () => {
    const closed = later<number>();
    const app = new App({ transport, logger: false });
    let l: ListeningApp | undefined;
    app.get('/down', () =>
      new ReadableStream<string>({
        start: (ctl) => ctl.enqueue('first-chunk'),
        // the leave is noticed here: close in this very turn
        cancel: () => {
          void timedClose(l!).then(closed.resolve);
        },
      }),
    );
    l = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    const c = await openUntil(l.port, '/down', 'first-chunk');
    sockets.push(c);
    c.destroy();
    expect(await closed.promise).toBeLessThan(PROMPT_MS);
  }, 60_000);

  it('sse(): close(30 s) called in the same turn the client socket is destroyed (before the server read the leave) resolves well under the grace period, and the source is stopped', async () => {
    const left = later<string>();
    const app = leaveAwareSseApp(transport, left);
    const l = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    const c = await openUntil(l.port, '/events', 'data: first');
    sockets.push(c);
    c.destroy();
    const elapsed = timedClose(l); // same turn: the loop has not polled the socket since
    expect(await elapsed).toBeLessThan(PROMPT_MS);
    expect(await left.promise).toBe('finally');
  }, 60_000);

  it('ReadableStream: close(30 s) called in the same turn the client half-closes (FIN) resolves well under the grace period', async () => {
    const cancelled = later<string>();
    const app = new App({ transport, logger: false });
    app.get('/down', () => new ReadableStream<string>({ start: (ctl) => ctl.enqueue('first-chunk'), cancel: () => cancelled.resolve('cancel') }));
    const l = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    const c = await openUntil(l.port, '/down', 'first-chunk');
    sockets.push(c);
    c.on('error', () => {});
    c.end();
    const elapsed = timedClose(l);
    expect(await elapsed).toBeLessThan(PROMPT_MS);
    expect(await cancelled.promise).toBe('cancel');
  }, 60_000);

  it('sse() answering a `Connection: close` request: the client leaving stops the source (its input is done, its leave is still read)', async () => {
    const left = later<string>();
    const app = leaveAwareSseApp(transport, left);
    listening = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    const c = await openUntil(listening.port, '/events', 'data: first', 'Connection: close\r\n');
    sockets.push(c);
    c.destroy();
    expect(await left.promise).toBe('finally');
  }, 60_000);
});
