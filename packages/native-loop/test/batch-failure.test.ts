import { afterEach, describe, expect, test } from 'vitest';
import type { ServerHandlers } from '../src/types.js';
import { GET } from './helpers/raw-client.js';
import { TRANSPORTS, harness, ok } from './helpers/transports.js';

// Issue 9: an `onBatch` that throws used to be rethrown into the event loop by the native
// transport (the process died). Both transports now report it and answer the batch's first
// unanswered request with a 500 and Connection: close; the answered ones keep their responses.
describe.each(TRANSPORTS)('onBatch throws ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('answers what was answered, then a 500 and a close; the server keeps serving', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const handlers: ServerHandlers = {
        onBatch(batch, out) {
          for (let i = 0; i < batch.count; i++) {
            if (batch.target(i) === '/throw') throw new Error('onBatch blew up');
            out.respond(batch.conn(i), batch.seq(i), ok(2), 'ok', false);
          }
        },
      };
      const { port } = await h.start(handlers);
      const c = await h.connect(port);
      await c.write(GET('/a') + GET('/throw') + GET('/b'));
      const [first, second] = await c.responses(2);
      expect(first!.status).toBe(200);
      expect(second!.status).toBe(500);
      expect(second!.headers['connection']).toBe('close');
      await c.untilEnd();
      const again = await h.connect(port);
      await again.write(GET('/c'));
      expect((await again.responses(1))[0]!.status).toBe(200);
      await new Promise((r) => setImmediate(r));
      expect(warnings.some((m) => m.includes('onBatch blew up'))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
