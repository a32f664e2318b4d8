// The per-route `timeout` option: 503 through the app's error handling, req.signal fires with a
// TimeoutError, late results dropped (a late stream cancelled); on a real socket and through inject.
import { describe, expect, it } from 'vitest';
import { App, HttpError, Response } from '../src/index.js';
import { inject, rawRequest, startTestServer } from './support/testing.js';
import { deferred } from './streaming/stream-client.js';
import { TRANSPORTS } from './support/transports.js';

describe('route option timeout', () => {
  function app() {
    const a = new App({ logger: false });
    const seen: { reason?: unknown } = {};
    const cancelled = deferred();
    const afterTimeout = deferred();
    // never answers by itself: waits for req.signal (which the timeout fires)
    a.get('/hang', (req) => new Promise((resolve) => {
      req.signal.addEventListener('abort', () => {
        seen.reason = req.signal.reason;
        resolve('too late');
      });
    }), { timeout: 100 });
    a.get('/quick', async () => 'in time', { timeout: 30_000 });
    a.get('/sync', () => 'sync', { timeout: 1 });
    a.get('/fails', async () => {
      throw new HttpError(418, 'teapot');
    }, { timeout: 30_000 });
    a.get('/late-stream', (req) => new Promise((resolve) => {
      req.signal.addEventListener('abort', () => {
        resolve(new Response(new ReadableStream({ cancel: () => cancelled.resolve() }), { type: 'text/plain' }));
        afterTimeout.resolve();
      });
    }), { timeout: 100 });
    a.get('/mapped', () => new Promise(() => {}), { timeout: 100, onResponse: (_req, res) => void res.headers.set('x-route-hook', 'saw it') });
    a.onError(HttpError, (err) => new Response(`handled ${err.status}`, { status: err.status }));
    return { a, seen, afterTimeout, cancelled };
  }

  it('answers 503 when the route is late, fires req.signal with a TimeoutError, goes through onError and route hooks', async () => {
    const { a, seen } = app();
    const r = await inject(a, '/hang');
    expect([r.status, r.text()]).toEqual([503, 'handled 503']);
    expect(seen.reason).toBeInstanceOf(DOMException);
    expect((seen.reason as DOMException).name).toBe('TimeoutError');
    const hooked = await inject(a, '/mapped');
    expect([hooked.status, hooked.headers['x-route-hook']]).toEqual([503, 'saw it']);
  });

  it('leaves results in time, sync handlers and errors alone', async () => {
    const { a } = app();
    expect((await inject(a, '/quick')).text()).toBe('in time');
    expect((await inject(a, '/sync')).text()).toBe('sync');
    const err = await inject(a, '/fails');
    expect([err.status, err.text()]).toEqual([418, 'handled 418']);
  });

  it('drops a late result and cancels its stream', async () => {
    const { a, afterTimeout, cancelled } = app();
    const r = await inject(a, '/late-stream');
    expect(r.status).toBe(503);
    await afterTimeout.promise;
    await cancelled.promise;
  });

  it('rejects invalid values when the route is registered', () => {
    const a = new App({ logger: false });
    for (const timeout of [0, -1, Number.NaN, Infinity, 2 ** 31, '10' as unknown as number]) {
      expect(() => a.get('/x', () => 'x', { timeout })).toThrow(RangeError);
    }
  });

  it.each(TRANSPORTS)('answers 503 on a real socket and the connection serves the next request (%s transport)', async (transport) => {
    const a = new App({ logger: false, transport });
    a.get('/hang', () => new Promise(() => {}), { timeout: 100 });
    a.get('/ok', () => 'ok');
    const server = await startTestServer(a);
    try {
      const res = await rawRequest(server.port, 'GET /hang HTTP/1.1\r\nHost: t\r\n\r\nGET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(res.responses.map((x) => [x.status, x.text()])).toEqual([[503, 'Service Unavailable: the route did not answer within 100 ms'], [200, 'ok']]);
    } finally {
      await server.close();
    }
  });
});
