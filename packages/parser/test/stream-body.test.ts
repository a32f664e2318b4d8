import { describe, expect, it } from 'vitest';
import { createTsParser } from '../src/index.js';
import type { ParsedRequest } from '../src/index.js';
import { prng } from './support/prng.js';

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A request with a body of `size` seeded bytes, Content-Length or chunked with seeded chunk sizes. */
function request(rnd: () => number, size: number, chunked: boolean, path: string): { wire: Buffer; body: Buffer } {
  const body = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) body[i] = (rnd() * 256) | 0;
  if (!chunked) return { wire: Buffer.concat([enc(`POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n`), body]), body };
  const parts = [enc(`POST ${path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n`)];
  for (let at = 0; at < size;) {
    const n = Math.min(size - at, 1 + Math.floor(rnd() * 5000));
    parts.push(enc(`${n.toString(16)}${rnd() < 0.2 ? ';ext=1' : ''}\r\n`), body.subarray(at, at + n), enc('\r\n'));
    at += n;
  }
  parts.push(enc(rnd() < 0.3 ? '0\r\nX-Sum: 1\r\n\r\n' : '0\r\n\r\n'));
  return { wire: Buffer.concat(parts), body };
}

/**
 * Property: a body streamed with `streamBody()` (whatever the split points of the input) yields the
 * same bytes as the body parsed whole, in order, with its end reported once; the requests after it
 * are framed exactly as without streaming.
 */
describe('TS parser: streamed bodies (seeded property)', () => {
  it('streamed body bytes equal the body; requests after it are framed the same, for 300 seeded cases', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = prng(seed);
      const size = 1 + Math.floor(rnd() * 40_000);
      const chunked = rnd() < 0.5;
      const { wire, body } = request(rnd, size, chunked, '/up');
      const after = enc('GET /next HTTP/1.1\r\nHost: t\r\n\r\n');
      const input = Buffer.concat([wire, after]);
      const parser = createTsParser({ maxBodyBytes: 1000 }, Infinity);
      const got: Uint8Array[] = [];
      const requests: ParsedRequest[] = [];
      let streamed: ParsedRequest | undefined;
      let ends = 0;
      for (let at = 0; at < input.length;) {
        const n = 1 + Math.floor(rnd() * 3000);
        const r = parser.push(input.subarray(at, at + n));
        at += n;
        expect(r.error).toBeUndefined();
        if (r.bodyChunks) for (const c of r.bodyChunks) got.push(Uint8Array.prototype.slice.call(c));
        if (r.bodyEnd) ends++;
        requests.push(...r.requests);
        if (r.awaitingBody && streamed === undefined) {
          const s = parser.streamBody!();
          streamed = s.request;
          for (const c of s.received) got.push(Uint8Array.prototype.slice.call(c));
        }
      }
      // a body complete in the read of its head comes whole (the transport streams it from there)
      if (streamed === undefined) {
        expect(requests.map((q) => q.target)).toEqual(['/up', '/next']);
        expect(Buffer.from(requests[0]!.body).equals(body)).toBe(true);
        continue;
      }
      expect(streamed.target).toBe('/up');
      expect(ends).toBe(1);
      expect(Buffer.concat(got).equals(body)).toBe(true);
      expect(requests.map((q) => q.target)).toEqual(['/next']);
      expect(parser.state).toBe('idle');
    }
  });

  it('a chunked body over the stream limit fails with BodyTooLarge; a Content-Length over it before the body', () => {
    const p1 = createTsParser({ maxBodyBytes: 10 }, 100);
    p1.push(enc('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n'));
    p1.streamBody!();
    expect(p1.push(enc('50\r\n' + 'a'.repeat(80) + '\r\n')).error).toBeUndefined();
    expect(p1.push(enc('50\r\n')).error?.code).toBe('BodyTooLarge');
    const p2 = createTsParser({ maxBodyBytes: 10 }, 100);
    expect(p2.push(enc('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n')).error?.code).toBe('BodyTooLarge');
  });

  it('streamBody() without a body waiting throws', () => {
    const p = createTsParser({}, Infinity);
    expect(() => p.streamBody!()).toThrow(/no request is waiting/);
  });
});
