/**
 * Loads the HTTP case corpus (see FORMAT.md) into bytes and normalized expectations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseErrorCode, ParserLimits, StreamParser, TargetForm } from '../../src/types.js';

/** A byte string in the corpus: latin1 text, or parts of text and repeated runs. */
export type BytesSpec = string | Array<string | { repeat: string; count: number }>;

interface RawRequest {
  method: BytesSpec;
  target: BytesSpec;
  targetForm?: TargetForm;
  versionMinor?: number;
  headers: Array<[BytesSpec, BytesSpec]>;
  bodyKind?: 'none' | 'length' | 'chunked';
  body?: BytesSpec;
  trailers?: Array<[BytesSpec, BytesSpec]>;
  keepAlive?: boolean;
  expectContinue?: boolean;
  upgrade?: boolean;
}

interface RawCase {
  name: string;
  note?: string;
  raw: BytesSpec;
  limits?: ParserLimits;
  expect: {
    requests: RawRequest[];
    error?: { code?: ParseErrorCode; status: number };
    state?: StreamParser['state'];
  };
}

/** A request as the tests compare it: every byte string decoded as latin1. */
export interface NormalRequest {
  method: string;
  target: string;
  targetForm: TargetForm;
  versionMinor: number;
  headers: Array<[string, string]>;
  bodyKind: 'none' | 'length' | 'chunked';
  body: string;
  trailers: Array<[string, string]>;
  keepAlive: boolean;
  expectContinue: boolean;
  upgrade: boolean;
}

/** What feeding a whole input produced (or must produce). */
export interface Outcome {
  requests: NormalRequest[];
  error: { code?: ParseErrorCode; status: number } | undefined;
  state: StreamParser['state'];
}

export interface CorpusCase {
  file: string;
  name: string;
  note: string | undefined;
  raw: Buffer;
  limits: ParserLimits | undefined;
  expect: Outcome;
}

/** Decodes a byte string of the corpus. */
export function bytesOf(spec: BytesSpec): Buffer {
  if (typeof spec === 'string') return latin1Bytes(spec);
  return Buffer.concat(spec.map((p) => (typeof p === 'string' ? latin1Bytes(p) : latin1Bytes(p.repeat.repeat(p.count)))));
}

function latin1Bytes(s: string): Buffer {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) throw new Error(`corpus string has a character above U+00FF: ${JSON.stringify(s)}`);
  }
  return Buffer.from(s, 'latin1');
}

const text = (spec: BytesSpec): string => bytesOf(spec).toString('latin1');

function normalize(r: RawRequest): NormalRequest {
  return {
    method: text(r.method),
    target: text(r.target),
    targetForm: r.targetForm ?? 'origin',
    versionMinor: r.versionMinor ?? 1,
    headers: r.headers.map(([n, v]) => [text(n), text(v)]),
    bodyKind: r.bodyKind ?? 'none',
    body: text(r.body ?? ''),
    trailers: (r.trailers ?? []).map(([n, v]) => [text(n), text(v)]),
    keepAlive: r.keepAlive ?? true,
    expectContinue: r.expectContinue ?? false,
    upgrade: r.upgrade ?? false,
  };
}

/** The state a case ends in when it does not say: done after an error or a closing request, else idle. */
function defaultState(c: RawCase): StreamParser['state'] {
  if (c.expect.error) return 'done';
  const last = c.expect.requests[c.expect.requests.length - 1];
  return last !== undefined && last.keepAlive === false ? 'done' : 'idle';
}

export const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));

/** Every case of every `*.json` file in the corpus directory, in file order. */
export function loadCorpus(dir: string = CORPUS_DIR): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cases: RawCase[] };
    for (const c of data.cases) {
      out.push({
        file,
        name: c.name,
        note: c.note,
        raw: bytesOf(c.raw),
        limits: c.limits,
        expect: {
          requests: c.expect.requests.map(normalize),
          error: c.expect.error,
          state: c.expect.state ?? defaultState(c),
        },
      });
    }
  }
  return out;
}
