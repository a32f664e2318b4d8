import {
  statusOf,
  type ParseErrorCode, type ParseFailure, type ParsedRequest, type ParserLimits, type PushResult,
  type StreamParser,
} from '../types.js';
import { ChunkedDecoder } from './chunked.js';
import { frame, type Framing } from './framing.js';
import { FAILED, HeadScanner, NEED_MORE } from './head-scanner.js';
import { asBuffer } from './latin1.js';
import { resolveLimits } from '../protocol/limits.js';


const M_IDLE = 0;
const M_HEAD = 1;
const M_LENGTH = 2;
const M_CHUNKED = 3;
const M_DONE = 4;

const EMPTY_BODY = new Uint8Array(0);
/** Content-Length bodies up to this size get their whole buffer at head time; larger ones grow as bytes arrive. */
const PREALLOCATE_BODY = 1024 * 1024;

/** The pure TypeScript StreamParser: see StreamParser in types.ts for the contract. */
class TsStreamParser implements StreamParser {
  private mode = M_IDLE;
  private failure: ParseFailure | undefined;
  /** Holds a partial head between pushes (from its first byte). */
  private pend: Buffer = Buffer.alloc(0);
  private pendLen = 0;
  private readonly head: HeadScanner;
  private readonly chunked: ChunkedDecoder;
  private readonly framing: Framing = {
    bodyKind: 'none', contentLength: 0, keepAlive: true, expectContinue: false, upgrade: false,
  };
  /** The request whose body is being received. */
  private current: ParsedRequest | undefined;
  private body: Uint8Array = EMPTY_BODY;
  private bodyFill = 0;
  private bodyLength = 0;
  /** Pieces of a body too large to allocate up front (a limit raised far above the default). */
  private bodyParts: Uint8Array[] | undefined;
  private readonly maxBody: number;
  /** True while the current body is streamed (its bytes go to `out`, not into `body`). */
  private streaming = false;
  /** The streamed body ended during the running push. */
  private ended = false;
  /** The streamed body bytes of the running push. */
  private out: Uint8Array[] | undefined;
  private readonly toOut = (data: Uint8Array): void => {
    // bytes in `pend` are overwritten by a later push: those are copied, views of the pushed chunk are not
    (this.out ??= []).push(data.buffer === this.pend.buffer ? data.slice() : data);
  };

  constructor(limits: Required<ParserLimits>, streamLimit: number) {
    // a body up to the stream limit is framed; the transport streams what is above maxBodyBytes
    this.maxBody = Math.max(limits.maxBodyBytes, streamLimit);
    this.head = new HeadScanner(limits.maxHeadBytes, limits.maxHeaders);
    this.chunked = new ChunkedDecoder(this.maxBody, limits.maxHeadBytes, limits.maxHeaders);
  }

  streamBody(): { request: ParsedRequest; received: Uint8Array[] } {
    const req = this.current;
    if (req === undefined || (this.mode !== M_LENGTH && this.mode !== M_CHUNKED) || this.streaming) {
      throw new Error('streamBody: no request is waiting for its body');
    }
    this.streaming = true;
    let received: Uint8Array[];
    if (this.mode === M_LENGTH) {
      received = this.bodyParts ?? (this.bodyFill > 0 ? [this.body.subarray(0, this.bodyFill)] : []);
      this.bodyParts = undefined;
      this.body = EMPTY_BODY;
    } else {
      received = this.chunked.total > 0 ? [this.chunked.body()] : [];
      this.chunked.sink = this.toOut;
    }
    return { request: req, received };
  }

  get state(): StreamParser['state'] {
    switch (this.mode) {
      case M_IDLE: return 'idle';
      case M_HEAD: return 'head';
      case M_DONE: return 'done';
      default: return 'body';
    }
  }

  push(chunk: Uint8Array): PushResult {
    if (this.mode === M_DONE) return this.failure ? { requests: [], error: this.failure } : { requests: [] };
    const requests: ParsedRequest[] = [];
    let buf: Buffer;
    let end: number;
    if (this.pendLen > 0) {
      this.append(chunk);
      buf = this.pend;
      end = this.pendLen;
    } else {
      buf = asBuffer(chunk);
      end = buf.length;
    }
    let pos = 0;
    this.head.forgetDecoded();
    loop: for (;;) {
      switch (this.mode) {
        case M_IDLE:
          if (pos >= end) break loop;
          this.head.reset(pos);
          this.mode = M_HEAD;
          continue;
        case M_HEAD: {
          const r = this.head.scan(buf, end);
          if (r === NEED_MORE) {
            this.keepPartialHead(buf, end);
            return { requests };
          }
          if (r === FAILED) {
            this.fail(this.head.error);
            break loop;
          }
          pos = r;
          if (!this.startBody()) break loop;
          const next: number = this.mode; // startBody changed it
          if (next === M_IDLE && !this.finish(requests)) break loop;
          continue;
        }
        case M_LENGTH: {
          if (pos >= end) break loop;
          const n = Math.min(this.bodyLength - this.bodyFill, end - pos);
          if (this.streaming) this.toOut(buf.subarray(pos, pos + n));
          else if (this.bodyParts) this.bodyParts.push(Uint8Array.prototype.slice.call(buf, pos, pos + n));
          else this.body.set(buf.subarray(pos, pos + n), this.bodyFill);
          this.bodyFill += n;
          pos += n;
          if (this.bodyFill === this.bodyLength && !this.finish(requests)) break loop;
          continue;
        }
        case M_CHUNKED: {
          if (pos >= end) break loop;
          const r = this.chunked.feed(buf, pos, end);
          if (r < 0) {
            this.fail(this.chunked.error);
            break loop;
          }
          pos = r;
          if (this.chunked.done && !this.finish(requests)) break loop;
          continue;
        }
        default:
          break loop;
      }
    }
    this.pendLen = 0;
    if (this.pend.length > 65536) this.pend = Buffer.alloc(0); // do not keep a big chunk's copy around
    const result: PushResult = { requests };
    if (this.out !== undefined) {
      result.bodyChunks = this.out;
      this.out = undefined;
    }
    if (this.ended) {
      result.bodyEnd = true;
      this.ended = false;
    }
    if (this.failure) result.error = this.failure;
    else if (this.mode === M_LENGTH || this.mode === M_CHUNKED) {
      result.awaitingBody = {
        expectContinue: this.current!.expectContinue,
        contentLength: this.mode === M_LENGTH ? this.bodyLength : undefined,
      };
    }
    return result;
  }

  private fail(code: ParseErrorCode): void {
    this.failure = { code, status: statusOf(code) };
    this.mode = M_DONE;
    this.current = undefined;
    this.streaming = false;
  }

  /** After a complete head: decides the framing; false on error. */
  private startBody(): boolean {
    const h = this.head;
    const f = this.framing;
    const err = frame(h, this.maxBody, f);
    if (err !== 'None') {
      this.fail(err);
      return false;
    }
    this.current = {
      method: h.method,
      target: h.target,
      targetForm: h.targetForm,
      versionMinor: h.versionMinor,
      headers: h.headers,
      bodyKind: f.bodyKind,
      body: EMPTY_BODY,
      trailers: [],
      keepAlive: f.keepAlive,
      expectContinue: f.expectContinue,
      upgrade: f.upgrade,
    };
    if (f.bodyKind === 'chunked') {
      this.chunked.reset();
      this.mode = M_CHUNKED;
    } else if (f.bodyKind === 'length' && f.contentLength > 0) {
      this.bodyLength = f.contentLength;
      this.bodyFill = 0;
      if (f.contentLength <= PREALLOCATE_BODY) {
        this.body = new Uint8Array(f.contentLength);
        this.bodyParts = undefined;
      } else {
        this.body = EMPTY_BODY;
        this.bodyParts = [];
      }
      this.mode = M_LENGTH;
    } else {
      this.mode = M_IDLE;
    }
    return true;
  }

  /** Emits the current request; false when the stream ends with it (not keep-alive). */
  private finish(requests: ParsedRequest[]): boolean {
    const req = this.current!;
    if (this.streaming) {
      this.streaming = false;
      this.ended = true;
      if (this.mode === M_CHUNKED && this.chunked.trailers.length > 0) req.trailers = this.chunked.trailers;
      this.current = undefined;
      this.mode = req.keepAlive ? M_IDLE : M_DONE;
      return req.keepAlive;
    }
    if (this.mode === M_LENGTH) {
      req.body = this.bodyParts ? Buffer.concat(this.bodyParts, this.bodyLength) : this.body;
      this.body = EMPTY_BODY;
      this.bodyParts = undefined;
    } else if (this.mode === M_CHUNKED) {
      req.body = this.chunked.total === 0 ? EMPTY_BODY : this.chunked.body();
      if (this.chunked.trailers.length > 0) req.trailers = this.chunked.trailers;
    }
    requests.push(req);
    this.current = undefined;
    this.mode = req.keepAlive ? M_IDLE : M_DONE;
    return req.keepAlive;
  }

  /** Keeps the partial head [reqStart, end) at the start of `pend` for the next push. */
  private keepPartialHead(buf: Buffer, end: number): void {
    const start = this.head.reqStart;
    const len = end - start;
    if (buf === this.pend) {
      if (start > 0) buf.copyWithin(0, start, end);
    } else {
      if (this.pend.length < len) this.pend = Buffer.allocUnsafe(Math.max(len, 1024));
      buf.copy(this.pend, 0, start, end);
    }
    this.head.rebase(start);
    this.pendLen = len;
  }

  /** Appends a chunk after the partial head kept in `pend`. */
  private append(chunk: Uint8Array): void {
    const need = this.pendLen + chunk.length;
    if (this.pend.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.pend.length * 2));
      this.pend.copy(grown, 0, 0, this.pendLen);
      this.pend = grown;
    }
    this.pend.set(chunk, this.pendLen);
    this.pendLen = need;
  }
}

/**
 * Creates the pure TypeScript stream parser (the fallback transport's parser and the second
 * implementation the native one is tested against). Same contract and strictness as the native
 * parser; limits default to DEFAULT_LIMITS. `streamLimit` (0: none) is the largest body the parser
 * frames for a transport that streams bodies above `maxBodyBytes` (see `StreamParser.streamBody`).
 *
 * @example
 * const parser = createTsParser();
 * const { requests, error } = parser.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
 */
export const createTsParser = (limits?: ParserLimits, streamLimit = 0): StreamParser =>
  new TsStreamParser(resolveLimits(limits), streamLimit);
