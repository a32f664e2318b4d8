import { afterEach, describe, expect, test, vi } from 'vitest';
import type { HttpServer } from '../src/types.js';

const noop = { onBatch: () => undefined };
const ADDON_ENV = process.env['JATO_NATIVE_LOOP_ADDON']; // set by the sanitizer run

describe('createServer transport selection', () => {
  const opened: HttpServer[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close(100)));
    if (ADDON_ENV === undefined) delete process.env['JATO_NATIVE_LOOP_ADDON'];
    else process.env['JATO_NATIVE_LOOP_ADDON'] = ADDON_ENV;
    vi.restoreAllMocks();
    vi.resetModules();
  });

  test("'auto' and 'native' choose the addon when it loads; 'js' the JS transport", async () => {
    const { createServer, nativeAvailable } = await import('../src/index.js');
    expect(nativeAvailable()).toBe(true);
    expect(createServer({}, noop).transport).toBe('native');
    expect(createServer({ transport: 'native' }, noop).transport).toBe('native');
    expect(createServer({ transport: 'js' }, noop).transport).toBe('js');
  });

  test("without the addon 'auto' falls back to JS with one warning, 'native' throws", async () => {
    process.env['JATO_NATIVE_LOOP_ADDON'] = 'no-such-dir/jato_native_loop.node';
    vi.resetModules();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { createServer, nativeAvailable } = await import('../src/index.js');
    expect(nativeAvailable()).toBe(false);
    const a = createServer({ host: '127.0.0.1' }, noop);
    const b = createServer({ host: '127.0.0.1', transport: 'auto' }, noop);
    opened.push(a, b);
    expect([a.transport, b.transport]).toEqual(['js', 'js']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^@jato\/native-loop: native transport unavailable \(JATO_NATIVE_LOOP_ADDON points at .*; using the JS transport$/);
    expect(() => createServer({ transport: 'native' }, noop)).toThrow();
  });

  test('a native server that never listened closes at once and reports zero stats', async () => {
    const { createNativeServer } = await import('../src/index.js');
    const s = createNativeServer({}, noop);
    expect(s.stats()).toEqual({ connections: 0, accepted: 0, inFlight: 0, requests: 0, bytesRead: 0, bytesWritten: 0 });
    expect(s.dateHeader()).toMatch(/ GMT$/);
    await s.close();
  });

  test('listen() fails with EADDRINUSE when the port is taken (no reusePort)', async () => {
    const { createNativeServer } = await import('../src/index.js');
    const a = createNativeServer({ host: '127.0.0.1', port: 0 }, noop);
    opened.push(a);
    const { port } = await a.listen();
    const b = createNativeServer({ host: '127.0.0.1', port }, noop);
    await expect(b.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
