// Loads the WebSocket frame case list (test/ws-corpus/*.json, format in FORMAT.md) into raw client
// bytes and canonical expected events, for the TypeScript parser (ws-corpus.test.ts), the C++ unit
// tests (test/native/run.mjs, target ws) and the fuzz seeds.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_MASK = '37fa213d';

/** FNV-1a 32 of bytes, as 8 hex digits: long payloads are compared by length and hash. */
export function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** A payload spec: "text" (UTF-8), { hex }, { repeat: byte, count } or an array of those. */
export function payloadOf(spec) {
  if (spec === undefined) return Buffer.alloc(0);
  if (typeof spec === 'string') return Buffer.from(spec, 'utf8');
  if (Array.isArray(spec)) return Buffer.concat(spec.map(payloadOf));
  if (spec.hex !== undefined) return Buffer.from(spec.hex, 'hex');
  if (spec.repeat !== undefined) return Buffer.alloc(spec.count, spec.repeat);
  throw new Error(`bad payload spec ${JSON.stringify(spec)}`);
}

/** One frame spec to its bytes (masked with `mask` unless mask is false). */
export function frameBytes(f) {
  if (f.raw !== undefined) return Buffer.from(f.raw, 'hex');
  const payload = payloadOf(f.payload);
  const len = f.len ?? payload.length;
  const enc = f.lenEncoding ?? (len < 126 ? 7 : len <= 0xffff ? 16 : 64);
  const head = [((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | f.op];
  const mbit = f.mask === false ? 0 : 0x80;
  if (enc === 7) head.push(mbit | len);
  else if (enc === 16) head.push(mbit | 126, (len >> 8) & 0xff, len & 0xff);
  else {
    head.push(mbit | 127);
    const big = BigInt(f.len64 ?? len);
    for (let k = 7; k >= 0; k--) head.push(Number((big >> BigInt(8 * k)) & 0xffn));
  }
  const out = [Buffer.from(head)];
  if (f.mask !== false) {
    const mask = Buffer.from(f.mask ?? DEFAULT_MASK, 'hex');
    out.push(mask);
    const masked = Buffer.from(payload);
    for (let i = 0; i < masked.length; i++) masked[i] ^= mask[i & 3];
    out.push(masked);
  } else {
    out.push(payload);
  }
  return Buffer.concat(out);
}

/** Canonical event string of a message / control / close / error (what both parsers are compared by). */
export function eventString(kind, bytes, code) {
  if (kind === 'error') return `error:${code}`;
  if (kind === 'close') return `close:${code}:${bytes.length}:${fnv1a(bytes)}`;
  return `${kind}:${bytes.length}:${fnv1a(bytes)}`;
}

/** An expected event spec to its canonical string. */
export function expectedEvent(e) {
  if (e.error !== undefined) return eventString('error', null, e.error);
  if (e.close !== undefined) return eventString('close', payloadOf(e.reason ?? ''), e.close);
  for (const kind of ['text', 'binary', 'ping', 'pong']) {
    if (e[kind] !== undefined) return eventString(e.compressed ? `${kind}+z` : kind, payloadOf(e[kind]));
  }
  throw new Error(`bad event spec ${JSON.stringify(e)}`);
}

/** Every case: { file, name, raw: Buffer, limits, events: string[] }. */
export function loadWsCorpus(dir = here) {
  const cases = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const c of data.cases) {
      cases.push({
        file,
        name: c.name,
        raw: Buffer.concat(c.frames.map(frameBytes)),
        limits: { maxMessage: 16 * 1024 * 1024, requireMask: true, allowRsv1: false, ...c.limits },
        events: c.expect.map(expectedEvent),
      });
    }
  }
  return cases;
}

/** The case list as lines for the C++ unit tests: name, maxMessage, requireMask, allowRsv1, events joined by |, hex. */
export function wsCorpusToTsv(dir = here) {
  return loadWsCorpus(dir).map((c) => [
    `${c.file}#${c.name}`, c.limits.maxMessage, c.limits.requireMask ? 1 : 0, c.limits.allowRsv1 ? 1 : 0,
    c.events.join('|') || '-', c.raw.toString('hex'),
  ].join('\t')).join('\n') + '\n';
}
