// A req.signal listener that throws (or rejects) is logged and cannot take the process down: jato
// fires the signal (client gone, route timeout) and registers each listener wrapped.
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../src/index.js';
import { guardSignal } from '../src/request/guarded-signal.js';
import { inject, startTestServer } from './support/testing.js';
import { deferred } from './streaming/stream-client.js';
import { TRANSPORTS } from './support/transports.js';

/** Uncaught exceptions while a test runs (Node reports listener errors on the next tick). */
let uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => void uncaught.push(err);
beforeEach(() => {
  uncaught = [];
  process.on('uncaughtException', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
});
const afterNextTicks = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Adds every kind of throwing listener to `signal`; resolves `fired` once all four ran. */
function addThrowingListeners(signal: AbortSignal, ran: string[]): void {
  signal.addEventListener('abort', () => {
    ran.push('function');
    throw new Error('listener function');
  });
  signal.addEventListener('abort', {
    handleEvent() {
      ran.push('object');
      throw new Error('listener object');
    },
  });
  signal.onabort = () => {
    ran.push('onabort');
    throw new Error('onabort');
  };
  signal.addEventListener('abort', async () => {
    ran.push('async');
    await null;
    throw new Error('async listener');
  }, { once: true });
}

describe('guardSignal', () => {
  it('reports what listeners throw and keeps the EventTarget semantics (dedupe, remove, once, onabort)', async () => {
    const c = new AbortController();
    const reported: unknown[] = [];
    const signal = guardSignal(c.signal, (e) => void reported.push(e));
    const ran: string[] = [];
    addThrowingListeners(signal, ran);
    let count = 0;
    const counted = (): void => void count++;
    signal.addEventListener('abort', counted);
    signal.addEventListener('abort', counted); // same listener: registered once
    const removed = (): void => void ran.push('removed');
    signal.addEventListener('abort', removed);
    signal.removeEventListener('abort', removed);
    const replaced = signal.onabort;
    expect(typeof replaced).toBe('function');
    c.abort(new Error('why'));
    await afterNextTicks();
    expect(ran).toEqual(['function', 'object', 'onabort', 'async']);
    expect(count).toBe(1);
    expect(reported.map((e) => (e as Error).message).sort()).toEqual(['async listener', 'listener function', 'listener object', 'onabort']);
    expect(uncaught).toEqual([]);
    expect([signal.aborted, (signal.reason as Error).message]).toEqual([true, 'why']);
  });
});

describe.each(TRANSPORTS)('req.signal listeners that throw (%s transport)', (transport) => {
  it('are logged with their error as cause when the client leaves; the process and server live on', async () => {
    const errors: unknown[][] = [];
    const logger = { error: (...a: unknown[]) => void errors.push(a), warn: () => {}, info: () => {} };
    const app = new App({ transport, logger });
    const ran: string[] = [];
    const started = deferred();
    app.get('/wait', (req) => new Promise((resolve) => {
      addThrowingListeners(req.signal, ran);
      req.signal.addEventListener('abort', () => resolve('gone'));
      started.resolve();
    }));
    app.get('/ok', () => 'still here');
    const server = await startTestServer(app);
    try {
      const socket = net.connect({ port: server.port, host: '127.0.0.1' }, () => socket.write('GET /wait HTTP/1.1\r\nHost: t\r\n\r\n'));
      socket.on('error', () => {});
      await started.promise;
      socket.destroy();
      // the four listeners run when the server sees the close; their errors are logged
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 20_000;
        const check = (): void => {
          if (errors.length >= 4) resolve();
          else if (Date.now() > deadline) reject(new Error(`logged ${errors.length} errors; ran ${ran.join()}`));
          else setImmediate(check);
        };
        check();
      });
      await afterNextTicks();
      expect(uncaught).toEqual([]);
      const causes = errors.map((a) => ((a[0] as { err: Error }).err.cause as Error).message).sort();
      expect(causes).toEqual(['async listener', 'listener function', 'listener object', 'onabort']);
      expect((await fetch(`http://127.0.0.1:${server.port}/ok`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('req.signal listeners and the route timeout', () => {
  it('a throwing listener fired by the timeout is logged and the 503 still goes out', async () => {
    const errors: unknown[][] = [];
    const app = new App({ logger: { error: (...a: unknown[]) => void errors.push(a), warn: () => {}, info: () => {} } });
    app.get('/slow', (req) => new Promise(() => {
      req.signal.addEventListener('abort', () => {
        throw new Error('listener on timeout');
      });
    }), { timeout: 50 });
    const r = await inject(app, '/slow');
    expect(r.status).toBe(503);
    await afterNextTicks();
    expect(uncaught).toEqual([]);
    const messages = errors.map((a) => ((a[0] as { err: Error }).err.cause as Error | undefined)?.message);
    expect(messages).toContain('listener on timeout');
  });
});
