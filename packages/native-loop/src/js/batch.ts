import { RequestFlag, methodIdOf, type MethodId, type ParsedRequest } from '@jato/parser';
import { BODY_STREAM } from '../stream-input.js';
import type { RequestBatch } from '../types.js';
import type { InputStream } from './body-stream.js';

const EMPTY = new Uint8Array(0);
// the flag bits as module constants: the per-request code reads numbers, not properties
const KEEP_ALIVE = RequestFlag.KeepAlive;
const HTTP10 = RequestFlag.Http10;
const EXPECT_CONTINUE = RequestFlag.ExpectContinue;
const UPGRADE = RequestFlag.Upgrade;
const CHUNKED = RequestFlag.Chunked;

/** Flag bits (RequestFlag) of a parsed request. */
export function flagsOf(req: ParsedRequest): number {
  let flags = 0;
  if (req.keepAlive) flags |= KEEP_ALIVE;
  if (req.versionMinor === 0) flags |= HTTP10;
  if (req.expectContinue) flags |= EXPECT_CONTINUE;
  if (req.upgrade) flags |= UPGRADE;
  if (req.bodyKind === 'chunked') flags |= CHUNKED;
  return flags;
}

/**
 * The JS transport's RequestBatch: the requests one read of one connection completed, with their
 * connection id and consecutive sequence numbers starting at `firstSeq`.
 */
export class ParsedRequestBatch implements RequestBatch {
  readonly count: number;

  constructor(
    private readonly requests: readonly ParsedRequest[],
    private readonly connId: number,
    private readonly firstSeq: number,
    /** The connection's streamed bodies (their requests get `BODY_STREAM`), if any. */
    private readonly streamed?: readonly InputStream[],
  ) {
    this.count = requests.length;
  }

  private at(i: number): ParsedRequest {
    const req = this.requests[i];
    if (req === undefined) throw new RangeError(`request index ${i} out of range 0..${this.count - 1}`);
    return req;
  }

  conn(i: number): number {
    this.at(i);
    return this.connId;
  }

  seq(i: number): number {
    this.at(i);
    return this.firstSeq + i;
  }

  method(i: number): MethodId {
    return methodIdOf(this.at(i).method);
  }

  methodName(i: number): string {
    return this.at(i).method;
  }

  flags(i: number): number {
    const req = this.at(i);
    const flags = flagsOf(req);
    if (this.streamed === undefined) return flags;
    for (const s of this.streamed) if (s.request === req) return flags | BODY_STREAM;
    return flags;
  }

  target(i: number): string {
    return this.at(i).target;
  }

  headerCount(i: number): number {
    return this.at(i).headers.length;
  }

  headerName(i: number, j: number): string {
    return this.header(i, j)[0];
  }

  headerValue(i: number, j: number): string {
    return this.header(i, j)[1];
  }

  headerLines(i: number): readonly string[] {
    const hs = this.at(i).headers;
    const lines = new Array<string>(hs.length * 2);
    for (let j = 0; j < hs.length; j++) {
      lines[2 * j] = hs[j]![0];
      lines[2 * j + 1] = hs[j]![1];
    }
    return lines;
  }

  body(i: number): Uint8Array {
    return this.at(i).body ?? EMPTY;
  }

  private header(i: number, j: number): [string, string] {
    const h = this.at(i).headers[j];
    if (h === undefined) throw new RangeError(`header index ${j} out of range for request ${i}`);
    return h;
  }
}
