import { describe, expect, it } from 'vitest';
import { App, currentRequestId, requestId } from '../src/index.js';
import { injectAll } from './support/testing.js';

describe('requestId() generated ids (a counter whose last three digits come from a table)', () => {
  it('are unique, in order and equal to the context id across the 999/1000 and 1999/2000 boundaries, on the wire', async () => {
    const app = new App({ logger: false });
    app.use(requestId({ context: true }));
    app.get('/', () => String(currentRequestId()));
    const n = 2105;
    const raw = 'GET / HTTP/1.1\r\nHost: t\r\n\r\n'.repeat(n);
    const res = await injectAll(app, raw);
    expect(res.length).toBe(n);
    const ids = res.map((r) => r.headers['x-request-id']!);
    expect(res.map((r) => r.text())).toEqual(ids);
    const prefix = ids[0]!.slice(0, 13);
    expect(prefix).toMatch(/^[A-Za-z0-9]{12}-$/);
    expect(ids).toEqual(Array.from({ length: n }, (_, k) => `${prefix}${k + 1}`));
  });

  it('a request generated while another is being handled (the same middleware, nested) keeps its own id and header', async () => {
    const app = new App({ logger: false });
    app.use(requestId({ context: true }));
    let inner: string | undefined;
    app.get('/inner', () => String(currentRequestId()));
    app.get('/outer', async () => {
      // the same app (and counter) answers a request in the middle of this one
      const [r] = await injectAll(app, 'GET /inner HTTP/1.1\r\nHost: t\r\n\r\n');
      inner = r!.headers['x-request-id'];
      return String(currentRequestId());
    });
    const res = await injectAll(app, 'GET /outer HTTP/1.1\r\nHost: t\r\n\r\n'.repeat(1));
    expect(res[0]!.text()).toBe(res[0]!.headers['x-request-id']);
    expect(inner).toBeDefined();
    expect(inner).not.toBe(res[0]!.headers['x-request-id']);
  });
});
