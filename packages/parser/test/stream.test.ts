/**
 * Stream behaviour of every implementation beyond the corpus: awaitingBody, what happens after an
 * error or a closing request, random multi-piece splits, no aliasing of the caller's buffers, limit
 * validation; and, for the TS head scanner, that a partial head is not rescanned.
 */
import { describe, expect, it } from 'vitest';
import { FAILED, HeadScanner, NEED_MORE } from '../src/ts/head-scanner.js';
import { drive, normalRequest, runWhole } from './corpus/drive.js';
import { implementations } from './corpus/implementations.js';
import { prng } from './support/prng.js';

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');

for (const impl of implementations) {
  describe(`stream × ${impl.name}`, () => {
    it('reports awaitingBody while a Content-Length body is incomplete, then the request', () => {
      const p = impl.create();
      const head = p.push(enc('POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n'));
      expect(head.requests).toEqual([]);
      expect(head.awaitingBody).toEqual({ expectContinue: true, contentLength: 4 });
      expect(p.state).toBe('body');
      const part = p.push(enc('ab'));
      expect(part.requests).toEqual([]);
      expect(part.awaitingBody).toEqual({ expectContinue: true, contentLength: 4 });
      const done = p.push(enc('cd'));
      expect(done.awaitingBody).toBeUndefined();
      expect(done.requests.map(normalRequest).map((r) => [r.target, r.body, r.expectContinue])).toEqual([['/u', 'abcd', true]]);
      expect(p.state).toBe('idle');
    });

    it('reports awaitingBody without a length for a chunked body', () => {
      const p = impl.create();
      const r = p.push(enc('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab'));
      expect(r.awaitingBody).toEqual({ expectContinue: false, contentLength: undefined });
      const end = p.push(enc('c\r\n0\r\n\r\n'));
      expect(end.requests.map(normalRequest).map((q) => q.body)).toEqual(['abc']);
      expect(end.awaitingBody).toBeUndefined();
    });

    it('answers 413 from Content-Length before any body byte arrives', () => {
      const p = impl.create({ maxBodyBytes: 100 });
      const r = p.push(enc('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n'));
      expect(r.error).toEqual({ code: 'BodyTooLarge', status: 413 });
      expect(r.awaitingBody).toBeUndefined();
    });

    it('keeps returning the error after a failure, with no more requests', () => {
      const p = impl.create();
      const first = p.push(enc('GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/9.9\r\n\r\n'));
      expect(first.requests).toHaveLength(1);
      expect(first.error).toEqual({ code: 'VersionNotSupported', status: 505 });
      for (const more of ['GET / HTTP/1.1\r\nHost: a\r\n\r\n', '', 'x']) {
        const again = p.push(enc(more));
        expect(again.requests).toEqual([]);
        expect(again.error).toEqual({ code: 'VersionNotSupported', status: 505 });
      }
      expect(p.state).toBe('done');
    });

    it('ignores everything after a request that closes the connection', () => {
      const p = impl.create();
      const r = p.push(enc('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /again HTTP/1.1\r\n'));
      expect(r.requests).toHaveLength(1);
      expect(r.error).toBeUndefined();
      expect(p.state).toBe('done');
      const later = p.push(enc('\u0000 garbage \r\n\r\n'));
      expect(later).toEqual({ requests: [] });
    });

    it('gives the same requests for random multi-piece splits of a mixed pipeline', () => {
      const body = Buffer.alloc(3000, 'b');
      const input = Buffer.concat([
        enc('GET /1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n'),
        enc(`PUT /2 HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n`), body,
        enc('POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nwxyz\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n'),
        enc('OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n'),
      ]);
      const whole = runWhole(impl.create, input).outcome;
      expect(whole.requests.map((r) => r.target)).toEqual(['/1', '/2', '/3', '*']);
      const rnd = prng(42);
      for (let round = 0; round < 200; round++) {
        const cuts: number[] = [];
        let at = 0;
        while (at < input.length) {
          at += 1 + Math.floor(rnd() * (rnd() < 0.5 ? 8 : 400));
          if (at < input.length) cuts.push(at);
        }
        const pieces = [...cuts, input.length].map((end, i) => input.subarray(i === 0 ? 0 : cuts[i - 1], end));
        expect(drive(impl.create(), pieces).outcome).toEqual(whole);
      }
    });

    it('does not keep references to the pushed chunks', () => {
      const p = impl.create();
      const a = enc('POST /abc HTTP/1.1\r\nHo');
      p.push(a);
      a.fill(0x58);
      const b = enc('st: h\r\nContent-Length: 6\r\n\r\nhel');
      const mid = p.push(b);
      expect(mid.requests).toEqual([]);
      b.fill(0x58);
      const c = enc('lo!');
      const r = p.push(c);
      c.fill(0x58);
      const [req] = r.requests.map(normalRequest);
      expect([req?.target, req?.headers, req?.body]).toEqual(['/abc', [['Host', 'h'], ['Content-Length', '6']], 'hello!']);
    });

    it('accepts any Uint8Array view, not only Buffers', () => {
      const backing = new Uint8Array(64).fill(0x20);
      const text = 'GET /v HTTP/1.1\r\nHost: a\r\n\r\n';
      for (let i = 0; i < text.length; i++) backing[10 + i] = text.charCodeAt(i);
      const r = impl.create().push(backing.subarray(10, 10 + text.length));
      expect(r.requests.map((q) => q.target)).toEqual(['/v']);
    });

    it('rejects invalid limits with a RangeError', () => {
      expect(() => impl.create({ maxHeadBytes: 0 })).toThrow(RangeError);
      expect(() => impl.create({ maxHeaders: -1 })).toThrow(RangeError);
      expect(() => impl.create({ maxBodyBytes: 1.5 })).toThrow(RangeError);
      expect(() => impl.create({ maxHeadBytes: 100, maxHeaders: 0, maxBodyBytes: 0 })).not.toThrow();
    });

    it('by default counts more header lines than fit in the head: the byte limit answers (maxHeadBytes / 4)', () => {
      const lines = (n: number): string => `GET / HTTP/1.1\r\nHost: a\r\n${'a:\r\n'.repeat(n)}\r\n`;
      // 16 KiB holds 4089 four-byte lines after the request line and Host: all accepted by default
      const fits = impl.create().push(Buffer.from(lines(4089), 'latin1'));
      expect([fits.error, fits.requests[0]?.headers.length]).toEqual([undefined, 4090]);
      expect(impl.create().push(Buffer.from(lines(4090), 'latin1')).error?.code).toBe('HeadTooLarge');
      // the same with a derived default for a configured head limit: 256 bytes → 64 lines, never reached
      expect(impl.create({ maxHeadBytes: 256 }).push(Buffer.from(lines(57), 'latin1')).requests).toHaveLength(1);
      expect(impl.create({ maxHeadBytes: 256 }).push(Buffer.from(lines(58), 'latin1')).error?.code).toBe('HeadTooLarge');
      // a configured maxHeaders still applies
      expect(impl.create({ maxHeaders: 100 }).push(Buffer.from(lines(100), 'latin1')).error?.code).toBe('TooManyHeaders');
    });
  });
}

describe('TS head scanner resumes where it stopped', () => {
  const scan = (s: HeadScanner, text: string) => s.scan(enc(text), text.length);

  it('never moves its scan position back while a long line arrives byte by byte', () => {
    const s = new HeadScanner(16384, 100);
    s.reset(0);
    const text = `GET /${'a'.repeat(1500)} HTTP/1.1\r\nHost: a\r\nX-Long: ${'v'.repeat(1500)}\r\n\r\n`;
    let last = 0;
    for (let end = 1; end < text.length; end++) {
      expect(s.scan(enc(text.slice(0, end)), end)).toBe(NEED_MORE);
      // Only a trailing CR (whose LF is not there yet) is looked at again.
      expect(s.scanPos).toBeGreaterThanOrEqual(end - 1);
      expect(s.scanPos).toBeGreaterThanOrEqual(last);
      last = s.scanPos;
    }
    expect(s.scan(enc(text), text.length)).toBe(text.length);
    expect(s.headers).toEqual([['Host', 'a'], ['X-Long', 'v'.repeat(1500)]]);
  });

  it('fails at the limit as soon as the head cannot end within it', () => {
    const s = new HeadScanner(32, 100);
    s.reset(0);
    expect(scan(s, 'GET / HTTP/1.1\r\nHost: abcdefgh')).toBe(NEED_MORE);
    expect(scan(s, 'GET / HTTP/1.1\r\nHost: abcdefghijklmnop')).toBe(FAILED);
    expect(s.error).toBe('HeadTooLarge');
  });
});

describe('random bytes', () => {
  it('never make a parser throw, and both implementations agree on them', () => {
    const rnd = prng(7);
    const alphabet = enc('GET /HTP1.0\r\n :;,=\t"\\xX0aF-Host:Content-Length:Transfer-Encoding:chunked\u0000\u007f\u0080\u00ff');
    for (let n = 0; n < 1500; n++) {
      const len = Math.floor(rnd() * 200);
      const input = Buffer.alloc(len);
      for (let i = 0; i < len; i++) input[i] = rnd() < 0.9 ? alphabet[Math.floor(rnd() * alphabet.length)]! : Math.floor(rnd() * 256);
      // Half of them start like a real request, so the fuzz reaches headers and bodies.
      const bytes = n % 2 === 0 ? Buffer.concat([enc('POST / HTTP/1.1\r\nHost: a\r\n'), input]) : input;
      const at = Math.floor(rnd() * (bytes.length + 1));
      const outcomes = implementations.map((impl) => {
        const whole = runWhole(impl.create, bytes, { maxHeadBytes: 128, maxHeaders: 8, maxBodyBytes: 64 }).outcome;
        const split = drive(impl.create({ maxHeadBytes: 128, maxHeaders: 8, maxBodyBytes: 64 }), [bytes.subarray(0, at), bytes.subarray(at)]).outcome;
        expect(split).toEqual(whole);
        return whole;
      });
      for (const o of outcomes.slice(1)) expect(o, JSON.stringify(bytes.toString('latin1'))).toEqual(outcomes[0]);
    }
  });
});

describe('large Content-Length bodies under a raised limit', () => {
  for (const impl of implementations) {
    it(`${impl.name}: a 3 MiB body in 64 KiB pieces arrives intact`, () => {
      const body = Buffer.alloc(3 * 1024 * 1024);
      for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 11)) & 0xff;
      const input = Buffer.concat([enc(`PUT /big HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
      const p = impl.create({ maxBodyBytes: 8 * 1024 * 1024 });
      const requests = [];
      for (let at = 0; at < input.length; at += 65536) requests.push(...p.push(input.subarray(at, at + 65536)).requests);
      expect(requests).toHaveLength(1);
      expect(Buffer.compare(Buffer.from(requests[0]!.body), body)).toBe(0);
    });
  }
});

describe('many tiny chunks', () => {
  for (const impl of implementations) {
    it(`${impl.name}: 50,000 one-byte chunks decode to the right body`, () => {
      const body = Buffer.alloc(50000);
      for (let i = 0; i < body.length; i++) body[i] = 0x61 + (i % 26);
      const wire = [...body].map((b) => `1\r\n${String.fromCharCode(b)}\r\n`).join('');
      const input = enc(`POST /tiny HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${wire}0\r\n\r\n`);
      const { outcome } = drive(impl.create(), [input.subarray(0, 100_001), input.subarray(100_001)]);
      expect(outcome.error).toBeUndefined();
      expect(outcome.requests).toHaveLength(1);
      expect(outcome.requests[0]!.body).toBe(body.toString('latin1'));
    });
  }
});
