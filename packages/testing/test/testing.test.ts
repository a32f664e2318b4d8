import { afterEach, describe, expect, it } from 'vitest';
import { App, Response } from '@jato/core';
import { inject, injectAll, parseResponses, rawRequest, requestBytes, startTestServer, type TestServer } from '../src/index.js';

describe('requestBytes', () => {
  it('renders method, target, headers, Host and Content-Length', () => {
    expect(requestBytes({ method: 'POST', url: '/x?y=1', headers: { 'x-a': ['1', '2'] }, body: 'hé' }).toString('latin1')).toBe(
      'POST /x?y=1 HTTP/1.1\r\nhost: localhost\r\nx-a: 1\r\nx-a: 2\r\ncontent-length: 3\r\n\r\nh\xc3\xa9',
    );
    expect(requestBytes({ body: { a: 1 }, http10: true, headers: [['Host', 'h']] }).toString()).toBe(
      'GET / HTTP/1.0\r\nHost: h\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{"a":1}',
    );
  });
});

describe('parseResponses', () => {
  it('parses content-length, chunked, HEAD and close-delimited responses', () => {
    const raw = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\nx-a: 2\r\n\r\nhi' +
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' +
        'HTTP/1.1 204 No Content\r\n\r\n' +
        'HTTP/1.0 200 OK\r\n\r\nuntil close',
    );
    const { responses, consumed } = parseResponses(raw, { head: [false, false, true], ended: true });
    expect(responses.map((r) => [r.status, r.text()])).toEqual([[200, 'hi'], [200, 'abcde'], [200, ''], [204, ''], [200, 'until close']]);
    expect(responses[0]!.headers['x-a']).toBe('1, 2');
    expect(responses[0]!.headerValues('X-A')).toEqual(['1', '2']);
    expect(responses[4]!.version).toBe('HTTP/1.0');
    expect(consumed).toBe(raw.length);
  });

  it('stops at an incomplete response', () => {
    const { responses, consumed } = parseResponses(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc'));
    expect(responses.length).toBe(1);
    expect(consumed).toBe(40);
  });

  it('rejects garbage', () => {
    expect(() => parseResponses(Buffer.from('NOPE\r\n\r\n'))).toThrow(/Malformed status line/);
  });
});

describe('inject', () => {
  it('runs a request through the app in process', async () => {
    const app = new App();
    app.post('/e/:id', async (req) => Response.json({ id: req.params.id, body: await req.text() }, { status: 201 }));
    const res = await inject(app, { method: 'POST', url: '/e/5', body: 'x' });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ id: '5', body: 'x' });
    expect((await inject(app, '/e/5')).status).toBe(405);
  });

  it('injects pipelined raw requests, including transport-level errors', async () => {
    const app = new App();
    app.get('/', () => 'ok');
    const all = await injectAll(app, 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n');
    expect(all.map((r) => r.status)).toEqual([200, 200, 400]);
  });

  it('applies the app body limit (413)', async () => {
    const app = new App({ limits: { maxBodyBytes: 4 } });
    app.post('/', () => 'ok');
    expect((await inject(app, { method: 'POST', url: '/', body: '12345' })).status).toBe(413);
    expect((await inject(app, { method: 'POST', url: '/', body: '1234' })).status).toBe(200);
  });
});

describe.each(['native', 'js'] as const)('socket helpers (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('starts on a free port and pipelines raw bytes', async () => {
    const app = new App({ transport });
    app.get('/n/:n', (req) => req.params.n);
    server = await startTestServer(app);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const raw = Array.from({ length: 10 }, (_, i) => `GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
    const { responses, closed } = await rawRequest(server.port, raw, { responses: 10 });
    expect(responses.map((r) => r.text())).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    expect(closed).toBe(false);
    const last = await rawRequest(server.port, 'GET /n/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect([last.closed, last.responses[0]!.text()]).toEqual([true, 'x']);
  });

  it('resolves when the server closes after an error', async () => {
    server = await startTestServer(new App({ transport }));
    const { responses, closed } = await rawRequest(server.port, 'BAD REQUEST\r\n\r\n');
    expect(closed).toBe(true);
    expect(responses[0]!.status).toBe(400);
  });
});
