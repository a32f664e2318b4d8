import { describe, expect, it } from 'vitest';
import { inject, parseResponses } from '../../src/js/index.js';
import { answerEach } from './support/answer-each.js';
import { echoHandlers, head } from './support/handlers.js';
import { GET } from './support/server.js';

const enc = (s: string) => Buffer.from(s, 'latin1');

describe('inject (virtual connection)', () => {
  it('answers pipelined requests in one batch through the same path as sockets', async () => {
    const handlers = echoHandlers();
    const bytes = await inject(handlers, enc(GET('/a') + GET('/b') + GET('/c')));
    const responses = parseResponses(bytes);
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(['/a', '/b', '/c']);
    expect(handlers.batches.length).toBe(1);
    expect(handlers.batches[0]!.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(handlers.closed).toEqual([handlers.batches[0]![0]!.conn]);
  });

  it('waits for async completions given to the batch responder, in sequence order', async () => {
    const handlers = answerEach((send, { index, count }) => setTimeout(send, (count - index) * 5));
    const bytes = await inject(handlers, enc(GET('/1') + GET('/2') + GET('/3')));
    expect(parseResponses(bytes).map((r) => Buffer.from(r.body).toString())).toEqual(['/1', '/2', '/3']);
  });

  it('resolves with the error response when the bytes are malformed', async () => {
    const handlers = echoHandlers();
    const bytes = await inject(handlers, enc(GET('/ok') + 'NOT HTTP\r\n\r\n'), { serverName: 'inj' });
    const [ok, bad] = parseResponses(bytes);
    expect(Buffer.from(ok!.body).toString()).toBe('/ok');
    expect(bad!.status).toBe(400);
    expect(bad!.headers).toMatchObject({ connection: 'close', server: 'inj' });
  });

  it('applies limits from the options (413)', async () => {
    const bytes = await inject(echoHandlers(), enc('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'), {
      limits: { maxBodyBytes: 4 },
    });
    expect(parseResponses(bytes).map((r) => r.status)).toEqual([413]);
  });

  it('resolves with what was answered when the bytes end inside a request', async () => {
    const handlers = echoHandlers();
    const bytes = await inject(handlers, enc(GET('/done') + 'GET /partial HTTP/1.1\r\nHo'));
    expect(parseResponses(bytes).map((r) => Buffer.from(r.body).toString())).toEqual(['/done']);
  });

  it('resolves with nothing for no bytes', async () => {
    const bytes = await inject(echoHandlers(), new Uint8Array(0));
    expect(bytes.length).toBe(0);
  });

  it('uses connection ids apart from socket connections and new ones per call', async () => {
    const a = echoHandlers();
    const b = echoHandlers();
    await inject(a, enc(GET('/')));
    await inject(b, enc(GET('/')));
    const idA = a.batches[0]![0]!.conn;
    const idB = b.batches[0]![0]!.conn;
    expect(idA).not.toBe(idB);
    expect(idA).toBeGreaterThanOrEqual(0x80000000);
  });
});

describe('parseResponses', () => {
  it('reads Content-Length, chunked, interim and HEAD responses', () => {
    const raw =
      'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nabc' +
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nhel\r\n2\r\nlo\r\n0\r\nT: v\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' +
      'HTTP/1.0 204 No Content\r\n\r\n';
    const [cont, a, b, headRes, empty] = parseResponses(enc(raw), { methods: ['GET', 'GET', 'HEAD', 'GET'] });
    expect(cont!.status).toBe(100);
    expect(Buffer.from(a!.body).toString()).toBe('abc');
    expect(a!.headers['set-cookie']).toBe('a=1, b=2');
    expect(a!.headerList.filter(([n]) => n === 'Set-Cookie').map(([, v]) => v)).toEqual(['a=1', 'b=2']);
    expect(Buffer.from(b!.body).toString()).toBe('hello');
    expect(headRes!.body.length).toBe(0);
    expect(headRes!.headers['content-length']).toBe('10');
    expect(empty).toMatchObject({ version: 'HTTP/1.0', status: 204, reason: 'No Content' });
  });

  it('reads a body to the end when there is no framing', () => {
    const [res] = parseResponses(enc('HTTP/1.1 200 OK\r\n\r\nuntil close'));
    expect(Buffer.from(res!.body).toString()).toBe('until close');
  });

  it('throws descriptive errors on incomplete or malformed bytes', () => {
    expect(() => parseResponses(enc('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'))).toThrow(/shorter than Content-Length/);
    expect(() => parseResponses(enc('HTTP/1.1 200 OK\r\n'))).toThrow(/incomplete response head/);
    expect(() => parseResponses(enc('HTTP/2 200\r\n\r\n'))).toThrow(/bad status line/);
    expect(() => parseResponses(enc('HTTP/1.1 200 OK\r\nNoColon\r\n\r\n'))).toThrow(/bad header line/);
  });
});
