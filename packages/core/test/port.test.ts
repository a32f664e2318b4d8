import { describe, expect, it } from 'vitest';
import { App } from '../src/index.js';
import { resolvePort } from '../src/app/port.js';

// Issue 9, item 7: PORT=70000 listened on 4464, 'abc' and '-1' on a random port, '1.5' on port 1.
describe('listen() validates the port', () => {
  it.each([70000, 65536, -1, 1.5, Number.NaN, Infinity, '70000', 'abc', '-1', '1.5', '', ' 80', '80 ', '0x50', '1e3', true, '8080abc'])(
    'rejects %j with a RangeError naming it',
    async (port) => {
      const app = new App({ logger: false, transport: 'js' });
      await expect(app.listen({ port: port as number, host: '127.0.0.1', handleSignals: false })).rejects.toThrow(
        /Invalid port .*expected an integer from 0 to 65535/,
      );
    },
  );

  it('accepts integers 0-65535 and strings of digits (e.g. from the environment)', async () => {
    expect([0, 1, 8080, 65535, '0', '8080', '65535', '00080'].map((p) => resolvePort(p))).toEqual([0, 1, 8080, 65535, 0, 8080, 65535, 80]);
    const app = new App({ logger: false, transport: 'js' });
    app.get('/', () => 'ok');
    const handle = await app.listen({ port: '0', host: '127.0.0.1', handleSignals: false });
    try {
      expect(handle.port).toBeGreaterThan(0);
      expect(await (await fetch(`http://127.0.0.1:${handle.port}/`)).text()).toBe('ok');
    } finally {
      await handle.close();
    }
  });
});
