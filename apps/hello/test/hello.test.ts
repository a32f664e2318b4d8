import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startTestServer, type TestServer } from 'jato/testing';
import { createHelloApp } from '../src/app.js';

describe.each(['native', 'js'] as const)('apps/hello over a socket (%s transport)', (transport) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(createHelloApp({ transport }));
  });
  afterAll(() => server.close());

  it('GET / → Hello world!', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('Hello world!');
  });

  it('GET /json', async () => {
    const res = await fetch(`${server.url}/json`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"message":"Hello, World!"}');
  });

  it('POST /echo returns the body byte for byte with its content type', async () => {
    const body = new Uint8Array(4096).map((_, i) => (i * 31) % 256);
    const res = await fetch(`${server.url}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/x-test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-test');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(body);
  });

  it('GET /params/:id decodes the id, 400 when it cannot', async () => {
    expect(await (await fetch(`${server.url}/params/caf%C3%A9%20au%20lait`)).text()).toBe('café au lait');
    expect((await fetch(`${server.url}/params/%FF`)).status).toBe(400);
  });

  it('GET /async', async () => {
    const res = await fetch(`${server.url}/async`);
    expect([res.status, await res.text()]).toEqual([200, 'Hello world!']);
  });

  it('anything else is 404', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/`, { method: 'DELETE' })).status).toBe(405);
  });

  it('answers the seed benchmark request pipelined ×24', async () => {
    const one = 'GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n';
    const { responses } = await rawRequest(server.port, one.repeat(24), { responses: 24 });
    expect(responses.map((r) => r.text())).toEqual(Array(24).fill('Hello world!'));
  });
});
