import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Point the native transport at an addon that does not exist, before anything loads it.
process.env['JATO_NATIVE_LOOP_ADDON'] = join(tmpdir(), 'jato-no-such-addon.node');

describe("transport 'auto' without the native addon", () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  afterAll(() => warn.mockRestore());

  it('runs on the JS transport after one clear warning', async () => {
    const { App } = await import('../src/index.js');
    const { rawRequest, startTestServer } = await import('./support/testing.js');
    const app = new App();
    app.get('/', () => 'Hello world!');
    app.get('/async', async () => 'later');
    const a = await startTestServer(app);
    const b = await startTestServer(app);
    try {
      expect([a.transport, b.transport]).toEqual(['js', 'js']);
      const { responses } = await rawRequest(a.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /async HTTP/1.1\r\nHost: x\r\n\r\n', { responses: 2 });
      expect(responses.map((r) => r.text())).toEqual(['Hello world!', 'later']);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/native transport unavailable.*using the JS transport/);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("'native' refuses to start instead of falling back", async () => {
    const { App } = await import('../src/index.js');
    await expect(new App({ transport: 'native' }).listen({ port: 0, host: '127.0.0.1', handleSignals: false })).rejects.toThrow();
  });
});
