import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/index.js';
import { rawRequest, startTestServer, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

/** Issue 9 through the framework: many header lines are a 200, HTTP/1.2 is served as HTTP/1.1. */
describe.each(TRANSPORTS)('header lines and versions (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function makeApp(): App {
    const app = new App({ transport, logger: false });
    app.get('/count', (req) => `${Object.keys(req.headers).length} ${req.httpVersion}`);
    app.get('/async', async (req) => {
      await Promise.resolve();
      return req.header('x-custom-99') ?? 'missing';
    });
    return app;
  }

  it('answers 200 to Host + 100 custom headers, sync and async', async () => {
    server = await startTestServer(makeApp());
    const lines = Array.from({ length: 100 }, (_, i) => `X-Custom-${i}: v${i}\r\n`).join('');
    const raw = `GET /count HTTP/1.1\r\nHost: t\r\n${lines}\r\nGET /async HTTP/1.1\r\nHost: t\r\n${lines}\r\n`;
    const { responses } = await rawRequest(server.port, raw, { responses: 2 });
    expect(responses.map((r) => [r.status, r.text()])).toEqual([[200, '101 1.1'], [200, 'v99']]);
  });

  it('serves HTTP/1.2 as HTTP/1.1', async () => {
    server = await startTestServer(makeApp());
    const { responses } = await rawRequest(server.port, 'GET /count HTTP/1.2\r\nHost: t\r\n\r\n', { responses: 1 });
    expect([responses[0]!.status, responses[0]!.text()]).toEqual([200, '1 1.1']);
  });
});
