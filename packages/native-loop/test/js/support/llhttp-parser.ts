import { createRequire } from 'node:module';
import type { ParsedRequest, ParserLimits, PushResult, StreamParser } from '@jato/parser';

const require = createRequire(import.meta.url);
// Node's own llhttp binding: a second, independent StreamParser for transport tests.
const { HTTPParser, methods } = require('_http_common') as {
  HTTPParser: any;
  methods: string[];
};

function statusOfLlhttp(code: string): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/**
 * A StreamParser over Node's llhttp (strict mode). Used to run the transport tests against a
 * second parser implementation; it knows less than the TS parser (no trailers, no target form).
 */
export function createLlhttpParser(limits: ParserLimits = {}): StreamParser {
  const maxBody = limits.maxBodyBytes ?? 1024 * 1024;
  const p = new HTTPParser();
  p.initialize(HTTPParser.REQUEST, {}, limits.maxHeadBytes ?? 16384, 0);
  let requests: ParsedRequest[] = [];
  let current: ParsedRequest | undefined;
  let bodyParts: Buffer[] = [];
  let bodyLength = 0;
  let inMessage = false;
  let headersDone = false;
  let closed = false;
  let error: PushResult['error'];
  let contentLength: number | undefined;
  p[HTTPParser.kOnMessageBegin] = () => {
    inMessage = true;
    headersDone = false;
  };
  p[HTTPParser.kOnHeadersComplete] = (
    _maj: number, minor: number, flat: string[], method: number, url: string,
    _s: unknown, _m: unknown, upgrade: boolean, keepAlive: boolean,
  ) => {
    const headers: Array<[string, string]> = [];
    for (let i = 0; i < flat.length; i += 2) headers.push([flat[i]!, flat[i + 1]!]);
    const find = (n: string) => headers.find(([k]) => k.toLowerCase() === n)?.[1];
    const cl = find('content-length');
    const chunked = /chunked/i.test(find('transfer-encoding') ?? '');
    contentLength = cl === undefined ? undefined : Number(cl);
    current = {
      method: methods[method] ?? 'GET',
      target: url,
      targetForm: 'origin',
      versionMinor: minor,
      headers,
      bodyKind: chunked ? 'chunked' : cl !== undefined ? 'length' : 'none',
      body: new Uint8Array(0),
      trailers: [],
      keepAlive,
      expectContinue: minor === 1 && /100-continue/i.test(find('expect') ?? ''),
      upgrade,
    };
    headersDone = true;
    bodyParts = [];
    bodyLength = 0;
    if (contentLength !== undefined && contentLength > maxBody) {
      error = { code: 'BodyTooLarge', status: 413 };
    }
    return 0;
  };
  p[HTTPParser.kOnBody] = (b: Buffer) => {
    bodyParts.push(Buffer.from(b));
    bodyLength += b.length;
    if (bodyLength > maxBody) error ??= { code: 'BodyTooLarge', status: 413 };
  };
  p[HTTPParser.kOnMessageComplete] = () => {
    if (current === undefined || error !== undefined) return;
    current.body = Buffer.concat(bodyParts);
    requests.push(current);
    if (!current.keepAlive) closed = true;
    current = undefined;
    inMessage = false;
    headersDone = false;
  };
  return {
    get state() {
      if (error !== undefined || closed) return 'done';
      if (!inMessage) return 'idle';
      return headersDone ? 'body' : 'head';
    },
    push(chunk: Uint8Array): PushResult {
      if (error !== undefined) return { requests: [], error };
      if (closed) return { requests: [] };
      requests = [];
      const r = p.execute(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (r instanceof Error && error === undefined) {
        error = { code: 'BadRequestLine', status: statusOfLlhttp((r as any).code) };
      }
      const out: PushResult = { requests };
      if (closed) requests.splice(requests.findIndex((q) => !q.keepAlive) + 1);
      if (error !== undefined) out.error = error;
      else if (inMessage && headersDone && current !== undefined && current.bodyKind !== 'none') {
        out.awaitingBody = { expectContinue: current.expectContinue, contentLength };
      }
      return out;
    },
  };
}
