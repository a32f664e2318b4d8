/**
 * Feeds inputs to a StreamParser in given pieces and gathers what came out.
 */
import type { ParsedRequest, PushResult, StreamParser, StreamParserFactory, ParserLimits } from '../../src/types.js';
import type { NormalRequest, Outcome } from './load.js';

/** A ParsedRequest with its body decoded as latin1, for comparisons. */
export function normalRequest(r: ParsedRequest): NormalRequest {
  return {
    method: r.method,
    target: r.target,
    targetForm: r.targetForm,
    versionMinor: r.versionMinor,
    headers: r.headers.map(([n, v]) => [n, v]),
    bodyKind: r.bodyKind,
    body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength).toString('latin1'),
    trailers: r.trailers.map(([n, v]) => [n, v]),
    keepAlive: r.keepAlive,
    expectContinue: r.expectContinue,
    upgrade: r.upgrade,
  };
}

/** One push's result in comparable form. */
export interface PushTrace {
  requests: NormalRequest[];
  error: PushResult['error'];
  awaitingBody: PushResult['awaitingBody'];
  state: StreamParser['state'];
}

/** Pushes `pieces` in order; returns the outcome and each push's trace. */
export function drive(parser: StreamParser, pieces: Iterable<Uint8Array>): { outcome: Outcome; trace: PushTrace[] } {
  const requests: NormalRequest[] = [];
  let error: Outcome['error'];
  const trace: PushTrace[] = [];
  for (const piece of pieces) {
    const r = parser.push(piece);
    const reqs = r.requests.map(normalRequest);
    requests.push(...reqs);
    if (r.error) error = { code: r.error.code, status: r.error.status };
    trace.push({ requests: reqs, error: r.error, awaitingBody: r.awaitingBody, state: parser.state });
  }
  return { outcome: { requests, error, state: parser.state }, trace };
}

/** Copies of `buf`'s pieces between the given cut offsets (copies, so no parser can rely on aliasing). */
export function* cut(buf: Uint8Array, offsets: number[]): Generator<Uint8Array> {
  let at = 0;
  for (const o of [...offsets, buf.length]) {
    yield Uint8Array.prototype.slice.call(buf, at, o);
    at = o;
  }
}

/** Pieces of `size` bytes (the last may be shorter). */
export function* pieces(buf: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < buf.length; at += size) yield Uint8Array.prototype.slice.call(buf, at, at + size);
}

/** Runs a whole input through a fresh parser in one push. */
export function runWhole(create: StreamParserFactory, raw: Uint8Array, limits?: ParserLimits): { outcome: Outcome; trace: PushTrace[] } {
  return drive(create(limits), [Uint8Array.prototype.slice.call(raw)]);
}

/**
 * Compares an outcome with an expectation: the error's code only when the expectation names it.
 */
export function comparable(outcome: Outcome, expect: Outcome): Outcome {
  if (outcome.error && expect.error && expect.error.code === undefined) {
    return { ...outcome, error: { status: outcome.error.status } };
  }
  return outcome;
}
