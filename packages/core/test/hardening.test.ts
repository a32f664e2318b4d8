import { afterEach, describe, expect, it } from 'vitest';
import { App, HttpError, Response, ResponseHeaders, injectRaw, type Logger } from '../src/index.js';
import { rawRequest, startTestServer, type TestResponse, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

// Issue 9 regressions (items 1, 4, 5, 8, 9): values that used to kill the process, desynchronise a
// pipelined connection or inject into the head. Each request here is followed on the same
// connection by `GET /ok`, which must still get its own answer.

/** A logger that keeps what it is given. */
function recorder(): Logger & { errors: unknown[][] } {
  const errors: unknown[][] = [];
  return { errors, error: (o: { err?: unknown }, message: string) => void errors.push([message, o.err]), warn: () => {}, info: () => {} };
}

/** Every error in a logged entry's cause chain, as `name: message`. */
function chain(entry: unknown[]): string[] {
  const out: string[] = [];
  for (let e = entry[1]; e instanceof Error; e = e.cause) out.push(`${e.name}: ${e.message}`);
  return out;
}

const wait = (): Promise<void> => new Promise((r) => setImmediate(r));

describe.each(TRANSPORTS)('hardening over real sockets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(app: App): Promise<TestServer> {
    app.get('/ok', () => 'ok');
    server = await startTestServer(app);
    return server;
  }

  /** Sends each target (GET) pipelined, then /ok; returns the responses, checking /ok came last. */
  async function pipeline(port: number, targets: string[], extra = ''): Promise<TestResponse[]> {
    const raw = [...targets, '/ok'].map((t) => `GET ${t} HTTP/1.1\r\nHost: h.test\r\n${extra}\r\n`).join('');
    const { responses } = await rawRequest(port, raw, { responses: targets.length + 1, timeoutMs: 20_000 });
    expect(responses).toHaveLength(targets.length + 1);
    expect(responses.at(-1)!.status).toBe(200);
    expect(responses.at(-1)!.text()).toBe('ok');
    return responses.slice(0, -1);
  }

  it('item 1: an HttpError whose headers or status cannot be sent is a logged 500, sync and async', async () => {
    const logger = recorder();
    const app = new App({ transport, logger });
    app.get('/items/:id', (req) => {
      throw new HttpError(404, 'no such item', { headers: { 'x-missing-id': req.params.id } });
    });
    app.get('/async-items/:id', async (req) => {
      await new Promise((r) => setTimeout(r, 1));
      throw new HttpError(404, 'no such item', { headers: { 'x-missing-id': req.params.id } });
    });
    app.get('/named/:n', (req) => {
      throw new HttpError(400, 'bad', { headers: { [req.params.n]: '1' } });
    });
    app.get('/async-named/:n', async (req) => {
      await Promise.resolve();
      throw new HttpError(400, 'bad', { headers: { [req.params.n]: '1' } });
    });
    const status1000 = (): HttpError => Object.defineProperty(new HttpError(404), 'status', { value: 1000 });
    app.get('/status-1000', () => {
      throw status1000();
    });
    app.get('/async-status-1000', async () => {
      await Promise.resolve();
      throw status1000();
    });
    const { port } = await serve(app);
    const targets = [
      '/items/%E2%82%AC', '/items/%0D%0AInjected:%201', '/async-items/%E2%82%AC', '/async-items/%0D%0AX:%201',
      '/named/a%20b', '/async-named/a%20b', '/named/a%0D%0Ab', '/status-1000', '/async-status-1000', '/items/fine',
    ];
    const responses = await pipeline(port, targets);
    expect(responses.map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 500, 500, 500, 500, 404]);
    for (const r of responses) {
      expect(r.rawHeaders.map(([n]) => n.toLowerCase())).not.toContain('injected');
      expect(r.rawHeaders.map(([n]) => n.toLowerCase())).not.toContain('x');
    }
    expect(responses[9]!.headers['x-missing-id']).toBe('fine');
    await wait();
    expect(logger.errors).toHaveLength(9);
    // what could not be sent is logged with the HttpError as its cause
    const chains = logger.errors.map(chain);
    expect(chains).toContainEqual([expect.stringMatching(/^TypeError: Invalid value for header "x-missing-id"/), 'HttpError: no such item']);
    expect(chains).toContainEqual([expect.stringMatching(/^TypeError: Invalid header name: "a b"/), 'HttpError: bad']);
    expect(chains.filter((c) => /^RangeError: Invalid HTTP status 1000/.test(c[0] ?? '') && c[1] === 'HttpError: Not Found')).toHaveLength(2);
  });

  it('item 4: a charset with CR/LF (or any non-token) never reaches the head', async () => {
    const logger = recorder();
    const app = new App({ transport, logger });
    app.get('/charset', (req) => new Response('x', { charset: req.query.get('c') ?? '' }));
    app.get('/text', (req) => Response.text('x', { type: 'text/plain', charset: req.query.get('c') ?? '' }));
    app.get('/type', (req) => new Response('x', { type: req.query.get('t') ?? '' }));
    const { port } = await serve(app);
    const responses = await pipeline(port, [
      '/charset?c=utf-8%0D%0AInjected:%201', '/text?c=utf-8%0D%0ASet-Cookie:%20a=b', '/charset?c=utf-8;%20x=y',
      '/type?t=text/html%0D%0AInjected:%201', '/charset?c=iso-8859-1', '/type?t=text/html;%20level=1',
    ]);
    expect(responses.map((r) => r.status)).toEqual([500, 500, 500, 500, 200, 200]);
    for (const r of responses) {
      expect(r.headers['injected']).toBeUndefined();
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    expect(responses[4]!.headers['content-type']).toBe('text/plain; charset=iso-8859-1');
    expect(responses[5]!.headers['content-type']).toBe('text/html; level=1; charset=utf-8');
    await wait();
    expect(logger.errors).toHaveLength(4);
  });

  it('item 5: response fields changed from plain JS are checked when sent (500, connection in sync)', async () => {
    const logger = recorder();
    const app = new App({ transport, logger });
    type Loose = Record<string, unknown>;
    const mutate = (change: (r: Loose) => void) => () => {
      const res = new Response('fine');
      change(res as unknown as Loose);
      return res;
    };
    app.get('/body-number', mutate((r) => (r.body = 12345)));
    app.get('/body-object', mutate((r) => (r.body = { a: 1 })));
    app.get('/body-undefined', mutate((r) => (r.body = undefined)));
    app.get('/status-1000', mutate((r) => (r.status = 1000)));
    app.get('/status-string', mutate((r) => (r.status = '200 OK\r\nInjected: 1')));
    app.get('/status-proto', mutate((r) => (r.status = 'constructor')));
    app.get('/status-text', mutate((r) => (r.statusText = 'OK\r\nInjected: 1')));
    app.get('/status-text-number', mutate((r) => (r.statusText = 7)));
    app.get('/type', mutate((r) => (r.defaultType = 'text/plain\r\nInjected: 1')));
    app.get('/headers', mutate((r) => (r.headers = { 'x-a': '1' })));
    app.get('/async-body', async () => {
      await Promise.resolve();
      const res = new Response('fine');
      (res as unknown as Loose).body = 42;
      return res;
    });
    app.get('/hooked-fine', () => new Response('fine', { statusText: 'Fine Indeed' }));
    const { port } = await serve(app);
    const targets = [
      '/body-number', '/body-object', '/body-undefined', '/status-1000', '/status-string', '/status-proto',
      '/status-text', '/status-text-number', '/type', '/headers', '/async-body', '/hooked-fine',
    ];
    const responses = await pipeline(port, targets);
    expect(responses.map((r) => r.status)).toEqual([...targets.slice(0, -1).map(() => 500), 200]);
    expect(responses.at(-1)!.statusText).toBe('Fine Indeed');
    for (const r of responses) expect(r.headers['injected']).toBeUndefined();
    await wait();
    expect(logger.errors).toHaveLength(targets.length - 1);
  });

  it('item 8: an absolute-form target names the host (RFC 9112 §3.2.2), not the Host header', async () => {
    const app = new App({ transport, logger: false });
    app.get('/info', (req) => ({ hostname: req.hostname, port: req.port ?? null, path: req.path, url: req.url }));
    const { port } = await serve(app);
    const raw =
      'GET http://good.test/info HTTP/1.1\r\nHost: other.test\r\n\r\n' +
      'GET http://user@Good.Test:8081/info?x=1 HTTP/1.1\r\nHost: other.test:99\r\n\r\n' +
      'GET /info HTTP/1.1\r\nHost: other.test:99\r\n\r\n';
    const { responses } = await rawRequest(port, raw, { responses: 3 });
    expect(responses.map((r) => r.json())).toEqual([
      { hostname: 'good.test', port: null, path: '/info', url: 'http://good.test/info' },
      { hostname: 'good.test', port: 8081, path: '/info', url: 'http://user@Good.Test:8081/info?x=1' },
      { hostname: 'other.test', port: 99, path: '/info', url: '/info' },
    ]);
  });

  it('item 9: a non-ASCII header value is a logged 500 whether the body is a string or bytes', async () => {
    const logger = recorder();
    const app = new App({ transport, logger });
    const header = (v: string) => ({ 'x-name': v });
    app.get('/string/:v', (req) => new Response('body', { headers: header(req.params.v) }));
    app.get('/bytes/:v', (req) => new Response(new Uint8Array([1, 2]), { headers: header(req.params.v) }));
    app.get('/set/:v', (req) => {
      const res = new Response(new Uint8Array([1]));
      res.headers.set('x-name', req.params.v);
      return res;
    });
    const { port } = await serve(app);
    // é (latin1 0xE9) and € (not latin1)
    const responses = await pipeline(port, ['/string/%C3%A9', '/bytes/%C3%A9', '/string/%E2%82%AC', '/bytes/%E2%82%AC', '/set/%C3%A9', '/bytes/plain']);
    expect(responses.map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 200]);
    expect(responses[5]!.headers['x-name']).toBe('plain');
    await wait();
    expect(logger.errors).toHaveLength(5);
  });
});

describe('values jato composes into heads', () => {
  it('the server name is checked when the app is created', () => {
    expect(() => new App({ serverName: 'jato\r\nInjected: 1' })).toThrow(TypeError);
    expect(() => new App({ serverName: 'jatö' })).toThrow(TypeError);
    expect(new App({ serverName: 'edge/1.0' }).config.serverName).toBe('edge/1.0');
  });

  it('a status that is not a number never passes checkStatus (no Array.prototype lookups)', () => {
    for (const status of ['200', 'constructor', 'length', '__proto__', 200.5, -0.5]) {
      expect(() => new Response('x', { status: status as number })).toThrow(RangeError);
    }
  });
});

describe('response headers that plain JS tampered with', () => {
  it('a ResponseHeaders subclass cannot make a framing header look like another one', async () => {
    class Lying extends ResponseHeaders {
      override keyAt(): string {
        return 'x-harmless';
      }
      override nameAt(): string {
        return 'Content-Length';
      }
    }
    const app = new App({ logger: false });
    app.get('/', () => {
      const res = new Response('hello');
      (res as unknown as { headers: ResponseHeaders }).headers = new Lying({ 'content-length': '0' });
      return res;
    });
    const raw = Buffer.from(await injectRaw(app, Buffer.from('GET / HTTP/1.1\r\nHost: t\r\n\r\n'))).toString('latin1');
    expect(raw.match(/content-length/gi)).toHaveLength(1);
    expect(raw).toMatch(/\r\n\r\nhello$/);
  });
});
