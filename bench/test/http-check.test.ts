import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseResponses, checkAnswer, mismatch, pipelinedGet } from '../src/http-check.mjs';
import { expectationFor } from '../src/paths.mjs';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => { (server as http.Server).closeAllConnections?.(); server.close(() => r()); }));
  return (server.address() as AddressInfo).port;
}

describe('parseResponses', () => {
  it('frames responses by Content-Length and by chunked encoding, stopping at a partial one', () => {
    const a = 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nHello world!';
    const b = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n7\r\n world!\r\n0\r\n\r\n';
    const partial = 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nHello';
    const { responses, consumed } = parseResponses(Buffer.from(a + b + partial));
    expect(responses.map((r) => [r.status, r.body.toString()])).toEqual([[200, 'Hello world!'], [200, 'Hello world!']]);
    expect(consumed).toBe(Buffer.byteLength(a + b));
    expect(responses[0]!.headers['content-type']).toBe('text/plain');
  });
  it('waits for the end of a chunked body', () => {
    expect(parseResponses(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n')).responses).toHaveLength(0);
  });
  it('rejects a malformed status line', () => {
    expect(() => parseResponses(Buffer.from('HTTP/2 200\r\n\r\n'))).toThrow(/malformed status line/);
  });
});

describe('mismatch', () => {
  const res = (status: number, body: string) => ({ status, headers: {}, body: Buffer.from(body) });
  it('accepts the exact text and JSON with the same content', () => {
    expect(mismatch(res(200, 'Hello world!'), expectationFor('/'))).toBeUndefined();
    expect(mismatch(res(200, '{ "message" : "Hello, World!" }'), expectationFor('/json'))).toBeUndefined();
  });
  it('names a wrong status, body or JSON', () => {
    expect(mismatch(res(404, 'Hello world!'), expectationFor('/'))).toMatch(/status 404/);
    expect(mismatch(res(200, 'Hello world!\n'), expectationFor('/'))).toMatch(/body/);
    expect(mismatch(res(200, '{"message":"hi"}'), expectationFor('/json'))).toMatch(/JSON/);
    expect(mismatch(res(200, 'nope'), expectationFor('/json'))).toMatch(/not JSON/);
  });
});

describe('checkAnswer over real sockets', () => {
  it('passes a server that answers right, plain and pipelined ×24', async () => {
    let served = 0;
    const port = await listen(http.createServer((req, res) => { served++; res.end('Hello world!'); }));
    await checkAnswer(port, '/', expectationFor('/'), 24);
    expect(served).toBe(25);
  });

  it('fails a server with the wrong body', async () => {
    const port = await listen(http.createServer((req, res) => res.end('Hello World')));
    await expect(checkAnswer(port, '/', expectationFor('/'), 24)).rejects.toThrow(/GET \/: body "Hello World"/);
  });

  it('fails a server that answers only the first of pipelined requests', async () => {
    const port = await listen(
      net.createServer((sock) => {
        sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nHello world!'));
      }),
    );
    await expect(pipelinedGet(port, '/', 24, 5000)).rejects.toThrow(/closed before 24 pipelined responses/);
  });
});
