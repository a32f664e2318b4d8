import { describe, expect, it, afterEach } from 'vitest';
import {
  createNativeParser,
  nativeAvailable,
  nativeFrameHeads,
  nativeLoadError,
  nativeSimdLevel,
  nativeSimdSupported,
  setNativeSimdLevel,
  type SimdLevelName,
} from '../../src/native.js';
import { createTsParser } from '../../src/ts/index.js';
import type { ParserLimits, PushResult, StreamParserFactory } from '../../src/types.js';
import { prng as rng } from '../support/prng.js';

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** A comparable, plain form of everything a stream produced. */
function normalise(results: PushResult[]): unknown {
  const requests = results.flatMap((r) =>
    r.requests.map((q) => ({ ...q, body: Buffer.from(q.body).toString('latin1') })),
  );
  const error = results.find((r) => r.error !== undefined)?.error;
  return { requests, error };
}

/** Feeds `bytes` in pieces that end at `cuts` (then the rest). */
function run(factory: StreamParserFactory, bytes: Uint8Array, cuts: number[] = [], limits?: ParserLimits): unknown {
  const p = factory(limits);
  const out: PushResult[] = [];
  let at = 0;
  for (const c of cuts) {
    out.push(p.push(bytes.subarray(at, c)));
    at = c;
  }
  out.push(p.push(bytes.subarray(at)));
  return normalise(out);
}

function everyByte(n: number): number[] {
  return Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
}

const SEEDS = [
  'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
  'GET /search?q=jato&lang=en HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test/1.0\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n',
  'POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\nhello world',
  'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n',
  'GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\nCONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n',
  'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
];
const INTERESTING = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x23, 0x2c, 0x3a, 0x3b, 0x7f, 0x80, 0xff, 0x30, 0x41];

function mutate(src: Uint8Array, next: () => number): Uint8Array {
  const bytes = Array.from(src);
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (bytes.length + 1));
    const op = Math.floor(next() * 4);
    const b = INTERESTING[Math.floor(next() * INTERESTING.length)]!;
    if (op === 0) bytes.splice(at, 0, b);
    else if (op === 1) bytes.splice(at, 1);
    else if (op === 2) bytes[Math.min(at, bytes.length - 1)] = b;
    else bytes.splice(at, 0, ...bytes.slice(at, at + 1 + Math.floor(next() * 8)));
  }
  return Uint8Array.from(bytes);
}

function corpus(count: number, seed: number): Uint8Array[] {
  const next = rng(seed);
  const out = SEEDS.map(enc);
  while (out.length < count) out.push(mutate(enc(SEEDS[Math.floor(next() * SEEDS.length)]!), next));
  return out;
}

describe('native parser binding', () => {
  it('loads the addon', () => {
    expect(nativeLoadError).toBeUndefined();
    expect(nativeAvailable).toBe(true);
  });

  it('parses a request into the StreamParser contract', () => {
    const p = createNativeParser();
    expect(p.state).toBe('idle');
    const r = p.push(enc('GET /x?y=1 HTTP/1.1\r\nHost: example.com\r\nX-Pad:  v \t\r\n\r\nGET /n'));
    expect(r.error).toBeUndefined();
    expect(r.requests).toHaveLength(1);
    const q = r.requests[0]!;
    expect(q).toMatchObject({
      method: 'GET', target: '/x?y=1', targetForm: 'origin', versionMinor: 1, bodyKind: 'none',
      headers: [['Host', 'example.com'], ['X-Pad', 'v']], trailers: [], keepAlive: true,
      expectContinue: false, upgrade: false,
    });
    expect(q.body).toBeInstanceOf(Uint8Array);
    expect(q.body.length).toBe(0);
    expect(p.state).toBe('head');
  });

  it('reports a body in progress, then the request', () => {
    const p = createNativeParser();
    const first = p.push(enc('POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nab'));
    expect(first.requests).toHaveLength(0);
    expect(first.awaitingBody).toEqual({ expectContinue: true, contentLength: 4 });
    expect(p.state).toBe('body');
    const second = p.push(enc('cd'));
    expect(second.awaitingBody).toBeUndefined();
    expect(Buffer.from(second.requests[0]!.body).toString()).toBe('abcd');
    expect(p.state).toBe('idle');

    const c = createNativeParser();
    expect(c.push(enc('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n')).awaitingBody).toEqual({
      expectContinue: false, contentLength: undefined,
    });
  });

  it('keeps an error and ignores bytes after a final request', () => {
    const p = createNativeParser();
    const r = p.push(enc('GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/2.0\r\n\r\n'));
    expect(r.requests).toHaveLength(1);
    expect(r.error).toEqual({ code: 'VersionNotSupported', status: 505 });
    expect(p.state).toBe('done');
    expect(p.push(enc('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toEqual({ requests: [], error: r.error });

    const c = createNativeParser();
    expect(c.push(enc('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /')).requests).toHaveLength(1);
    expect(c.state).toBe('done');
    expect(c.push(enc(' HTTP/1.1\r\nHost: a\r\n\r\n'))).toEqual({ requests: [] });
  });

  it('applies its limits and rejects invalid ones', () => {
    const long = enc(`GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    expect(createNativeParser({ maxHeadBytes: 64 }).push(long).error).toEqual({ code: 'TargetTooLong', status: 414 });
    const body = enc('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n');
    expect(createNativeParser({ maxBodyBytes: 10 }).push(body).error).toEqual({ code: 'BodyTooLarge', status: 413 });
    const many = enc('GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n');
    expect(createNativeParser({ maxHeaders: 2 }).push(many).error?.code).toBe('TooManyHeaders');
    expect(() => createNativeParser({ maxHeadBytes: 0 })).toThrow(RangeError);
    expect(() => createNativeParser({ maxHeaders: 1.5 })).toThrow(RangeError);
  });

  it('frames a pipelined batch in one call', () => {
    const one = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
    expect(nativeFrameHeads(enc(one.repeat(24)))).toBe(24);
    expect(nativeFrameHeads(enc(one.repeat(3) + one.slice(0, 10)))).toBe(3);
    const chunked = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    expect(nativeFrameHeads(enc(chunked + one + 'BAD REQUEST\r\n\r\n' + one))).toBe(2);
  });
});

describe('native parser: SIMD levels and resumability', () => {
  const levels: SimdLevelName[] = ['scalar', 'sse42', 'avx2'];
  const initial = nativeAvailable ? nativeSimdLevel() : 'scalar';
  afterEach(() => {
    setNativeSimdLevel(initial);
  });

  it('selects SIMD levels, clamped to the CPU', () => {
    const best = nativeSimdSupported();
    expect(setNativeSimdLevel('scalar')).toBe('scalar');
    expect(nativeSimdLevel()).toBe('scalar');
    const rank = levels.indexOf(best);
    expect(setNativeSimdLevel('avx2')).toBe(best);
    expect(setNativeSimdLevel('sse42')).toBe(levels[Math.min(rank, 1)]);
    expect(() => setNativeSimdLevel('neon' as SimdLevelName)).toThrow(RangeError);
  });

  it('gives the same result at every SIMD level (seeds and 300 mutations)', () => {
    // Long values and targets so the 16- and 32-byte vector loops run, not only their scalar tails.
    const long = enc(`GET /${'p'.repeat(70)}\x01 HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(90)}\r\n\r\n`);
    const cases = [long, ...corpus(300, 7)];
    for (const bytes of cases) {
      setNativeSimdLevel('scalar');
      const ref = run(createNativeParser, bytes);
      for (const lv of levels) {
        setNativeSimdLevel(lv);
        expect(run(createNativeParser, bytes), `${lv}: ${JSON.stringify(Buffer.from(bytes).toString('latin1'))}`).toEqual(ref);
      }
    }
  });

  it('gives the same result whole, byte by byte and split at every offset', () => {
    for (const bytes of corpus(60, 11)) {
      const whole = run(createNativeParser, bytes);
      expect(run(createNativeParser, bytes, everyByte(bytes.length))).toEqual(whole);
      for (let k = 1; k < bytes.length; k++) expect(run(createNativeParser, bytes, [k])).toEqual(whole);
    }
  });

  it('agrees with the TypeScript parser on 2000 random mutations', () => {
    const small: ParserLimits = { maxHeadBytes: 200, maxHeaders: 6, maxBodyBytes: 32 };
    const disagreements: string[] = [];
    for (const [i, bytes] of corpus(2000, 1234).entries()) {
      const limits = i % 4 === 3 ? small : undefined;
      const a = run(createNativeParser, bytes, [], limits);
      const b = run(createTsParser, bytes, [], limits);
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        disagreements.push(`${JSON.stringify(Buffer.from(bytes).toString('latin1'))}\n native ${JSON.stringify(a)}\n ts     ${JSON.stringify(b)}`);
      }
    }
    expect(disagreements.slice(0, 3)).toEqual([]);
  });
});
