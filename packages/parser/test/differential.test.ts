/**
 * Differential tests against Node's own llhttp (strict, no lenient flags) on the valid corpus cases
 * and on seeded random mutations of them; the same mutations also run through both of our
 * implementations, which must agree exactly (requests, error code, state).
 *
 * Where llhttp and we disagree, the class of disagreement must be listed in KNOWN_DIFFERENCES with
 * its justification; any other disagreement fails the test. Deterministic: a fixed seed.
 */
import { describe, expect, it } from 'vitest';
import { drive, runWhole } from './corpus/drive.js';
import { implementations } from './corpus/implementations.js';
import { llhttpParse, type LlhttpOutcome } from './corpus/llhttp.js';
import { loadCorpus, type CorpusCase, type Outcome } from './corpus/load.js';
import { prng } from './support/prng.js';

/** Each class of disagreement with llhttp we accept, and why. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  // Host (llhttp leaves it to node:http's JS layer)
  'we reject MissingHost, llhttp accepts': 'RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400; llhttp does not look at Host',
  'we reject MissingHost, llhttp waits for more': 'as above (llhttp would go on to read the body)',
  'we reject DuplicateHost, llhttp accepts': 'RFC 9112 §3.2: more than one Host is a 400; llhttp does not look at Host',
  'we reject DuplicateHost, llhttp waits for more': 'as above',
  'we reject BadHost, llhttp accepts': 'Host must be uri-host [":" port] (RFC 9112 §3.2.3, RFC 3986 §3.2.2); llhttp does not validate it',
  'we reject BadHost, llhttp waits for more': 'as above',
  // Methods and targets
  'we accept, llhttp rejects HPE_INVALID_METHOD': 'any token is a method, case-sensitive (RFC 9110 §9.1); llhttp knows a fixed list',
  'we wait for more, llhttp rejects HPE_INVALID_METHOD': 'as above (the input ended before the request did)',
  'we accept, llhttp rejects HPE_INVALID_URL': 'absolute-form takes any RFC 3986 scheme (e.g. "example.com:80"); llhttp\'s URL parser does not',
  'we wait for more, llhttp rejects HPE_INVALID_URL': 'llhttp rejects some targets at their first byte; we judge the form when the target ends (the input ended first)',
  'we reject BadRequestLine, llhttp accepts': 'a request line without a version (HTTP/0.9 form): RFC 9112 has no HTTP/0.9, llhttp still accepts it',
  'we reject BadRequestLine, llhttp waits for more': 'as above',
  'we reject VersionNotSupported, llhttp accepts': 'only HTTP/1.x is served (505, RFC 9110 §15.6.6); llhttp accepts other versions such as HTTP/0.9 and HTTP/2.0 in a request line',
  'we reject VersionNotSupported, llhttp waits for more': 'as above',
  'we accept, llhttp rejects HPE_INVALID_VERSION': 'RFC 9110 §2.5: HTTP/1.x with x > 1 is handled as HTTP/1.1; llhttp rejects HTTP/1.2 to 1.9',
  'we wait for more, llhttp rejects HPE_INVALID_VERSION': 'llhttp rejects an unknown version at its last digit; we when the line ends (then 505; the input ended first)',
  'we reject BadMethod, llhttp accepts': 'strict: an empty line before a request line is rejected; llhttp skips it (RFC 9112 §2.2 allows either)',
  'we reject BadMethod, llhttp waits for more': 'as above',
  'we reject BadTarget, llhttp accepts': 'a "#" fragment is not part of a request-target (RFC 9112 §3.2), nor are bytes >= 0x80, and CONNECT needs host:port; llhttp accepts them',
  'we reject BadTarget, llhttp waits for more': 'as above',
  'we reject BareLineFeed, llhttp waits for more': 'strict: a bare LF is rejected (RFC 9112 §2.2 allows either); llhttp reads on',
  'we reject BareLineFeed, llhttp accepts': 'strict: a bare LF is rejected (RFC 9112 §2.2 allows either); llhttp takes it in some places (e.g. ending an HTTP/0.9-style line)',
  // Framing
  'we accept, llhttp rejects HPE_INVALID_CONTENT_LENGTH': 'OWS around the value is not part of it (RFC 9110 §5.5), and a Content-Length trailer field never frames (RFC 9112 §7.1.2); llhttp rejects both',
  'we wait for more, llhttp rejects HPE_INVALID_CONTENT_LENGTH': 'as above (a Content-Length trailer field)',
  'we accept, llhttp rejects HPE_INVALID_TRANSFER_ENCODING': 'empty list elements (", chunked,") MUST be ignored (RFC 9110 §5.6.1); llhttp rejects them',
  'we wait for more, llhttp rejects HPE_INVALID_TRANSFER_ENCODING': 'llhttp judges each Transfer-Encoding line as it comes; we judge the list when the head ends (then 400 or 501)',
  'we reject UnknownTransferCoding, llhttp waits for more': 'a coding before chunked ("gzip, chunked") cannot be decoded: 501 (RFC 9112 §6.1); llhttp passes the coded body on',
  'we reject UnknownTransferCoding, llhttp accepts': 'as above (llhttp only checks that the last coding is chunked)',
  'we reject TransferEncodingOnHttp10, llhttp waits for more': 'Transfer-Encoding on HTTP/1.0 means faulty framing (RFC 9112 §6.1): rejected; llhttp decodes it',
  'we reject TransferEncodingOnHttp10, llhttp accepts': 'as above',
  'we accept, llhttp rejects HPE_INVALID_CHUNK_SIZE': 'BWS around a chunk extension\'s ";" and "=" is allowed (RFC 9112 §7.1.1); llhttp rejects whitespace after the size',
  'we wait for more, llhttp rejects HPE_INVALID_CHUNK_SIZE': 'as above',
  'we accept, llhttp rejects HPE_STRICT': 'as above (llhttp\'s strict mode rejects BWS around "=" in a chunk extension)',
  'we wait for more, llhttp rejects HPE_STRICT': 'as above',
  'we reject BadChunkExtension, llhttp accepts': 'a chunk extension needs a name after ";" and a token or quoted-string after "=" (RFC 9112 §7.1.1); llhttp takes ";;" and "a=" too',
  'we reject BadChunkExtension, llhttp waits for more': 'as above',
  'we reject BadTransferEncoding, llhttp accepts': 'every transfer coding must be a token (RFC 9112 §7); llhttp only looks at whether the last one is chunked',
  'we reject BadTransferEncoding, llhttp waits for more': 'as above',
  'we wait for more, llhttp rejects HPE_UNEXPECTED_CONTENT_LENGTH': 'llhttp rejects a second Content-Length before its line ends; we do when the line ends (the input ended first)',
  'we reject BadChunkSize, llhttp waits for more': 'chunk sizes must stay below 2^63 (far above any body limit); llhttp takes any 64-bit size and waits for the data',
  'we reject BadContentLength, llhttp waits for more': 'Content-Length is 1*DIGIT, so an empty value is invalid (RFC 9110 §8.6); llhttp reads on',
  'we reject ContentLengthWithTransferEncoding, llhttp accepts': 'a Transfer-Encoding field, even an empty one, with Content-Length is rejected (RFC 9112 §6.1); llhttp ignores an empty Transfer-Encoding',
  'we reject BodyTooLarge, llhttp waits for more': 'our body limit (1 MiB by default, 413) is decided at the chunk-size line; llhttp has none',
  // Connection management
  'we reject BadConnection, llhttp accepts': 'Connection is a list of tokens (RFC 9110 §7.6.1); llhttp accepts any value',
  'we reject BadConnection, llhttp waits for more': 'as above',
  'both accept, keepAlive differs': 'HTTP/1.0 with both keep-alive and close: close wins for us (RFC 9112 §9.3); llhttp keeps the connection',
  'we accept, llhttp rejects HPE_CLOSED_CONNECTION': 'after a request that closes the connection we ignore later bytes (the server closes); llhttp reports them',
  'llhttp hands over at an upgrade or CONNECT head, we judge its framing and body':
    'llhttp stops parsing at an upgrade or CONNECT head without checking the rest; we frame that request fully and report upgrade',
  'llhttp upgrades an HTTP/1.0 request, we ignore Upgrade there': 'RFC 9110 §7.8: a server MUST ignore Upgrade in an HTTP/1.0 request',
  // Limits
  'we reject TooManyHeaders, llhttp accepts': 'a configured limit of header lines (431; by default maxHeadBytes / 4, more than fit); llhttp counts none (node:http caps them in JS)',
  'we reject TooManyHeaders, llhttp waits for more': 'as above',
};

interface View {
  requests: Array<{ method: string; target: string; versionMinor: number; headers: Array<[string, string]>; body: string; keepAlive: boolean }>;
  error: string | undefined;
  partial: boolean;
  /** Index of the first upgrade or CONNECT request (a head llhttp stops at). */
  upgradeAt: number | undefined;
}

/** Our outcome seen the way llhttp reports: nothing after an upgrade or a CONNECT (llhttp stops there). */
function ourView(o: Outcome): View {
  const requests: View['requests'] = [];
  for (const r of o.requests) {
    requests.push({ method: r.method, target: r.target, versionMinor: r.versionMinor, headers: r.headers, body: r.body, keepAlive: r.keepAlive });
    if (r.upgrade || r.method === 'CONNECT') {
      return { requests: requests.slice(0, -1), error: undefined, partial: false, upgradeAt: requests.length - 1 };
    }
  }
  return { requests, error: o.error?.code, partial: o.state === 'head' || o.state === 'body', upgradeAt: undefined };
}

function theirView(o: LlhttpOutcome): View {
  return {
    requests: o.requests.map((r) => ({
      method: r.method, target: r.target, versionMinor: r.versionMinor, headers: r.headers, body: r.body, keepAlive: r.keepAlive,
    })),
    error: o.error,
    partial: o.partial,
    upgradeAt: o.upgradeAt,
  };
}

/** null when llhttp and we agree, else the class of the disagreement. */
function classify(ours: View, theirs: View): string | null {
  if (theirs.upgradeAt !== undefined && ours.upgradeAt !== theirs.upgradeAt && ours.requests.length >= theirs.upgradeAt) {
    const rest = classify({ ...ours, requests: ours.requests.slice(0, theirs.upgradeAt), error: undefined, partial: false, upgradeAt: undefined },
      { ...theirs, upgradeAt: undefined });
    if (rest !== null) return rest;
    const ourRequest = ours.requests[theirs.upgradeAt];
    return ourRequest?.versionMinor === 0
      ? 'llhttp upgrades an HTTP/1.0 request, we ignore Upgrade there'
      : 'llhttp hands over at an upgrade or CONNECT head, we judge its framing and body';
  }
  const n = Math.min(ours.requests.length, theirs.requests.length);
  for (let i = 0; i < n; i++) {
    const a = ours.requests[i]!;
    const b = theirs.requests[i]!;
    for (const field of ['method', 'target', 'versionMinor', 'headers', 'body', 'keepAlive'] as const) {
      if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) return `both accept, ${field} differs`;
    }
  }
  const weStop = ours.upgradeAt !== undefined ? 'we accept' : ours.error !== undefined ? `we reject ${ours.error}` : ours.partial ? 'we wait for more' : 'we accept';
  const theyStop = theirs.error !== undefined ? `llhttp rejects ${theirs.error}` : theirs.partial ? 'llhttp waits for more' : 'llhttp accepts';
  if (ours.requests.length === theirs.requests.length) {
    if (ours.error !== undefined && theirs.error !== undefined) return null;
    if (ours.error === undefined && theirs.error === undefined && ours.partial === theirs.partial) {
      return ours.upgradeAt === theirs.upgradeAt ? null : 'upgrade reported differently';
    }
    return `${weStop}, ${theyStop}`;
  }
  // One side completed a request the other did not: the class is what the other did with it.
  return ours.requests.length < theirs.requests.length ? `${weStop}, llhttp accepts` : `we accept, ${theyStop}`;
}

const INTERESTING = [
  0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x23, 0x25, 0x2b, 0x2c, 0x2d, 0x2f, 0x30, 0x39, 0x3a, 0x3b, 0x3d, 0x3f,
  0x40, 0x46, 0x5c, 0x61, 0x78, 0x7f, 0x80, 0xff, 0x0b, 0x0c, 0x7c,
];
const LINES = [
  'Transfer-Encoding: chunked\r\n', 'Content-Length: 5\r\n', 'Content-Length: 0\r\n', 'Host: other.example\r\n',
  'Connection: close\r\n', 'Connection: keep-alive\r\n', 'Expect: 100-continue\r\n', ' folded\r\n',
  'Transfer-Encoding: gzip, chunked\r\n', 'Upgrade: websocket\r\nConnection: upgrade\r\n', 'X: \u00e9\r\n',
];

function mutate(seed: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(seed);
  const ops = 1 + Math.floor(rnd() * 2);
  for (let k = 0; k < ops; k++) {
    const pos = Math.floor(rnd() * (b.length + 1));
    const pick = INTERESTING[Math.floor(rnd() * INTERESTING.length)]!;
    switch (Math.floor(rnd() * 7)) {
      case 0:
        if (pos < b.length) b[pos] = pick;
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, pos), Buffer.from([pick]), b.subarray(pos)]);
        break;
      case 2:
        if (pos < b.length) b = Buffer.concat([b.subarray(0, pos), b.subarray(pos + 1)]);
        break;
      case 3: {
        // Insert a header line at the start of some line after the request line.
        const at = b.indexOf('\r\n', Math.floor(rnd() * b.length));
        if (at >= 0) {
          const line = Buffer.from(LINES[Math.floor(rnd() * LINES.length)]!, 'latin1');
          b = Buffer.concat([b.subarray(0, at + 2), line, b.subarray(at + 2)]);
        }
        break;
      }
      case 4: {
        // Duplicate the line around pos.
        const start = b.lastIndexOf('\n', pos - 1) + 1;
        const end = b.indexOf('\n', pos);
        if (end > start) b = Buffer.concat([b.subarray(0, end + 1), b.subarray(start, end + 1), b.subarray(end + 1)]);
        break;
      }
      case 5: {
        const c = b[pos];
        if (c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) b[pos] = c ^ 0x20;
        break;
      }
      default:
        // Cut the input short.
        b = b.subarray(0, pos);
    }
  }
  return b;
}

const corpus = loadCorpus();
const small = (c: CorpusCase): boolean => c.limits === undefined && c.raw.length > 0 && c.raw.length <= 2048;
/** The valid cases, compared as they are. */
const seeds = corpus.filter((c) => small(c) && c.expect.error === undefined);
/** Mutations start from every case, invalid ones too (a mutation may repair them). */
const mutationSeeds = corpus.filter(small);
const [ts, ...others] = implementations;
// Deterministic by default; JATO_DIFF_MUTATIONS / JATO_DIFF_SEED widen an exploratory run.
const MUTATIONS = Number(process.env.JATO_DIFF_MUTATIONS ?? 4000);
const SEED = Number(process.env.JATO_DIFF_SEED ?? 0x6a61746f);

describe('differential vs llhttp', () => {
  it('agrees on the valid corpus cases, or the difference is known', () => {
    const unexplained: string[] = [];
    for (const c of seeds) {
      const cls = classify(ourView(runWhole(ts!.create, c.raw).outcome), theirView(llhttpParse(c.raw)));
      if (cls !== null && KNOWN_DIFFERENCES[cls] === undefined) unexplained.push(`${c.name}: ${cls}`);
    }
    expect(unexplained).toEqual([]);
  });

  it(`agrees on ${MUTATIONS} seeded mutations, or the difference is known; our implementations agree exactly`, () => {
    const rnd = prng(SEED);
    const splitRnd = prng(0x73706c74); // split points: the mutations stay the same whatever implementations run
    const classes = new Map<string, { count: number; example: string }>();
    const disagreements: string[] = [];
    let agreed = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const input = mutate(mutationSeeds[Math.floor(rnd() * mutationSeeds.length)]!.raw, rnd);
      const ours = runWhole(ts!.create, input).outcome;
      for (const other of others) {
        const theirs = runWhole(other.create, input).outcome;
        if (JSON.stringify(theirs) !== JSON.stringify(ours) && disagreements.length < 5) {
          disagreements.push(`${other.name} vs ts on ${JSON.stringify(input.toString('latin1'))}: ${JSON.stringify(theirs.error)} / ${JSON.stringify(ours.error)}`);
        }
        // Split in two at a random point: the same outcome.
        const at = Math.floor(splitRnd() * (input.length + 1));
        const split = drive(other.create(), [input.subarray(0, at), input.subarray(at)]).outcome;
        if (JSON.stringify(split) !== JSON.stringify(ours) && disagreements.length < 5) {
          disagreements.push(`${other.name} split at ${at} vs ts on ${JSON.stringify(input.toString('latin1'))}`);
        }
      }
      const cls = classify(ourView(ours), theirView(llhttpParse(input)));
      if (cls === null) {
        agreed++;
        continue;
      }
      const seen = classes.get(cls);
      if (process.env.JATO_DIFF_SHOW === cls) console.log(JSON.stringify(input.toString('latin1')));
      if (seen) seen.count++;
      else classes.set(cls, { count: 1, example: JSON.stringify(input.toString('latin1')) });
    }
    if (process.env.JATO_DIFF_REPORT) {
      console.log(`agreed ${agreed} of ${MUTATIONS}`);
      for (const [cls, v] of [...classes].sort((x, y) => y[1].count - x[1].count)) console.log(`${v.count}\t${cls}`);
    }
    expect(disagreements).toEqual([]);
    const unexplained = [...classes].filter(([cls]) => KNOWN_DIFFERENCES[cls] === undefined).map(([cls, v]) => `${cls} (${v.count}×, e.g. ${v.example})`);
    expect(unexplained).toEqual([]);
    // Most mutations must not be a listed difference: the comparison really compares.
    expect(agreed).toBeGreaterThan(MUTATIONS / 3);
  });
});
