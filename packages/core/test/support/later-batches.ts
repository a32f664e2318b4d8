import { expect } from 'vitest';
import { App, type Request } from '../../src/index.js';
import type { TRANSPORTS } from './transports.js';

/**
 * Starts an app on `transport` whose async `POST /slow` handler is `handler(req, parked)`: `parked()`
 * tells the test the request arrived and waits while three `POST /fast` requests (each with
 * `fastBody`) are answered in later batches. Sends `slowBody` to /slow and resolves to the text
 * /slow answered (the app is closed either way).
 */
export async function slowAfterLaterBatches(
  transport: (typeof TRANSPORTS)[number],
  slowBody: string | Buffer,
  fastBody: string | Buffer,
  handler: (req: Request, parked: () => Promise<void>) => Promise<string>,
): Promise<string> {
  const app = new App({ logger: false, transport });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const here = new Promise<void>((r) => (arrived = r));
  app.post('/slow', (req) =>
    handler(req, () => {
      arrived();
      return gate;
    }),
  );
  app.post('/fast', () => 'ok');
  const h = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
  try {
    const slow = fetch(`http://127.0.0.1:${h.port}/slow`, { method: 'POST', body: slowBody });
    await here;
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`http://127.0.0.1:${h.port}/fast`, { method: 'POST', body: fastBody });
      expect(await r.text(), `/fast ${i}`).toBe('ok');
    }
    release();
    return await (await slow).text();
  } finally {
    await h.close();
  }
}
