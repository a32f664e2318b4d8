import { afterEach, describe, expect, test } from 'vitest';
import { parseResponses } from '../src/js/parse-responses.js';
import { GET, RawClient, seeded } from './helpers/raw-client.js';
import { TRANSPORTS, echoHandlers, harness } from './helpers/transports.js';

const SEEDS = [
  'POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello',
  'POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4;e=1\r\nwiki\r\n0\r\nX: y\r\n\r\n',
  'GET /q?x=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'PUT /p HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok',
  GET('/g'),
];

/** A seeded mutation of valid requests: byte flips, insertions, deletions, truncation, duplication. */
function mutate(rand: () => number): Buffer {
  let s = '';
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) s += SEEDS[Math.floor(rand() * SEEDS.length)];
  const b = [...Buffer.from(s, 'latin1')];
  const edits = Math.floor(rand() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * b.length);
    const op = rand();
    if (op < 0.4) b[at] = Math.floor(rand() * 256);
    else if (op < 0.6) b.splice(at, 0, ...[0x0d, 0x0a, 0x3a, 0x20, 0x30, 0x66, 0x00].slice(0, 1 + Math.floor(rand() * 3)));
    else if (op < 0.8) b.splice(at, 1 + Math.floor(rand() * 8));
    else b.splice(at, 0, ...b.slice(at, at + Math.floor(rand() * 40)));
  }
  return Buffer.from(b);
}

describe.each(TRANSPORTS)('hostile input ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('300 connections of mutated requests, split at random: never a crash, only well-formed answers', async () => {
    const rand = seeded(2024);
    // keep-alive 2 s: it also bounds the wait for the final check's first byte, which a busy machine
    // could stall past between connect and write (clients here end with FIN, so it costs nothing)
    const { server, port } = await h.start(echoHandlers, { timeouts: { headers: 500, bodyGrace: 500, keepAlive: 2000 } });
    for (let round = 0; round < 30; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const bytes = mutate(rand);
          const c = await RawClient.connect(port);
          const cut = Math.floor(rand() * bytes.length);
          await c.write(bytes.subarray(0, cut));
          await c.write(bytes.subarray(cut));
          c.end();
          await c.waitFor('the server to end', () => (c.ended ? true : undefined));
          // whatever came back parses as complete responses with real statuses
          const res = parseResponses(c.received, { methods: [] });
          for (const r of res) expect([100, 200, 400, 408, 413, 414, 431, 501, 505]).toContain(r.status);
          c.destroy();
        }),
      );
    }
    // still serving
    const c = await h.connect(port);
    await c.write(GET('/alive'));
    const [r] = await c.responses(1);
    expect(Buffer.from(r!.body).toString()).toBe('GET /alive ');
    c.destroy();
    expect(server.stats().requests).toBeGreaterThan(0);
  }, 120_000);
});
