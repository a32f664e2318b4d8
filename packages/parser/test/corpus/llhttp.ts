/**
 * Node's own llhttp (the parser behind node:http), driven in-process through `_http_common`'s
 * HTTPParser with no lenient flags, for differential tests.
 */
import { createRequire } from 'node:module';

interface HTTPParserInstance {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(buf: Buffer): number | (Error & { code?: string });
  finish(): unknown;
  close(): void;
  [k: number]: unknown;
}
interface HTTPParserCtor {
  new (): HTTPParserInstance;
  REQUEST: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientNone: number;
}

const require = createRequire(import.meta.url);
const { HTTPParser, methods } = require('_http_common') as { HTTPParser: HTTPParserCtor; methods: string[] };

/** One request as llhttp reported it (latin1 strings). */
export interface LlhttpRequest {
  method: string;
  target: string;
  versionMinor: number;
  headers: Array<[string, string]>;
  body: string;
  keepAlive: boolean;
  upgrade: boolean;
}

export interface LlhttpOutcome {
  /** Complete messages, in order (up to and including an upgrade, where llhttp stops). */
  requests: LlhttpRequest[];
  /** llhttp's error code (HPE_…), if it rejected the input. */
  error: string | undefined;
  /** A message was started but not completed. */
  partial: boolean;
  /**
   * Set when llhttp met an upgrade (or CONNECT) head: how many requests were complete before it.
   * llhttp hands the connection over at that head (even before its body), so nothing after it counts.
   */
  upgradeAt: number | undefined;
}

/** Parses `input` with llhttp in one execute call, header section limited to `maxHeaderSize`. */
export function llhttpParse(input: Buffer, maxHeaderSize = 16384): LlhttpOutcome {
  const p = new HTTPParser();
  p.initialize(HTTPParser.REQUEST, {}, maxHeaderSize, HTTPParser.kLenientNone);
  const requests: LlhttpRequest[] = [];
  let pendingHeaders: string[] = [];
  let pendingUrl = '';
  let cur: (LlhttpRequest & { bodyParts: Buffer[] }) | undefined;
  let upgradeAt: number | undefined;
  let begun = false;
  p[HTTPParser.kOnMessageBegin] = () => {
    begun = true;
  };
  p[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
    pendingHeaders.push(...headers);
    pendingUrl += url;
  };
  p[HTTPParser.kOnHeadersComplete] = (
    _major: number, minor: number, headers: string[] | undefined, method: number, url: string | undefined,
    _status: unknown, _msg: unknown, upgrade: boolean, keepAlive: boolean,
  ) => {
    const flat = headers ?? pendingHeaders;
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    cur = {
      method: methods[method] ?? `#${method}`,
      target: url ?? pendingUrl,
      versionMinor: minor,
      headers: pairs,
      body: '',
      keepAlive,
      upgrade,
      bodyParts: [],
    };
    pendingHeaders = [];
    pendingUrl = '';
    if (upgrade && upgradeAt === undefined) upgradeAt = requests.length;
    return 0;
  };
  p[HTTPParser.kOnBody] = (b: Buffer, start?: number, len?: number) => {
    cur?.bodyParts.push(start === undefined ? Buffer.from(b) : Buffer.from(b.subarray(start, start + (len ?? 0))));
  };
  p[HTTPParser.kOnMessageComplete] = () => {
    begun = false;
    // What was flushed through kOnHeaders since the head were trailers (node:http resets them here too).
    pendingHeaders = [];
    pendingUrl = '';
    if (!cur) return;
    const { bodyParts, ...rest } = cur;
    requests.push({ ...rest, body: Buffer.concat(bodyParts).toString('latin1') });
    cur = undefined;
  };
  let error: string | undefined;
  const r = p.execute(input);
  if (r instanceof Error) error = r.code ?? 'HPE_UNKNOWN';
  p.close();
  if (upgradeAt !== undefined) return { requests: requests.slice(0, upgradeAt), error: undefined, partial: false, upgradeAt };
  return { requests, error, partial: !error && begun, upgradeAt };
}
