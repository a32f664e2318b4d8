// String chunks of a streamed body after the first turn: each is framed and written as one string
// (chunk size in UTF-8 bytes, not chars), in order, on both transports; with a declared
// Content-Length the byte count is checked the same way.
import { afterEach, describe, expect, it } from 'vitest';
import { App, Response } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { StreamClient, deferred, dechunk } from './stream-client.js';
import { STREAM_TRANSPORTS } from './transports.js';

const ALPHABET = ['a', 'Z', '\n', 'é', '€', '😀', ' ', '0'];

describe.each(STREAM_TRANSPORTS)('string chunks of a streamed body (%s transport)', (transport) => {
  let server: TestServer | undefined;
  let client: StreamClient | undefined;
  afterEach(async () => {
    client?.destroy();
    await server?.close();
    server = undefined;
  });

  it('seeded non-ASCII string chunks arrive framed by their UTF-8 size, in order', async () => {
    const rand = prng(10);
    const chunks = Array.from({ length: 200 }, () =>
      Array.from({ length: Math.floor(rand() * 40) }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join(''));
    const started = deferred();
    const app = new App({ transport, logger: false });
    app.get('/s', () => (async function* () {
      yield 'head;';
      await started.promise; // past the first turn: the head is out, chunks stream one by one
      for (const c of chunks) yield c;
    })());
    server = await startTestServer(app);
    client = await StreamClient.connect(server.port);
    client.send('GET /s HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.until((x) => x.text().includes('head;'));
    started.resolve();
    await client.until((x) => x.received.subarray(-5).toString('latin1') === '0\r\n\r\n');
    const raw = client.received;
    const body = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
    expect(dechunk(body)!.body.toString('utf8')).toBe(`head;${chunks.join('')}`);
  });

  it('a declared Content-Length counts string chunks in UTF-8 bytes', async () => {
    const started = deferred();
    const text = ['é€', '😀', 'abc'];
    const bytes = Buffer.byteLength(text.join(''));
    const app = new App({ transport, logger: false });
    app.get('/s', () => new Response((async function* () {
      yield 'x';
      await started.promise;
      for (const t of text) yield t;
    })(), { headers: { 'content-length': String(bytes + 1) } }));
    server = await startTestServer(app);
    client = await StreamClient.connect(server.port);
    client.send('GET /s HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.until((x) => x.text().includes('\r\n\r\nx'));
    started.resolve();
    await client.until((x) => x.received.length - x.received.indexOf('\r\n\r\n') - 4 >= bytes + 1);
    const raw = client.received;
    expect(raw.subarray(raw.indexOf('\r\n\r\n') + 4).toString('utf8')).toBe(`x${text.join('')}`);
  });
});
