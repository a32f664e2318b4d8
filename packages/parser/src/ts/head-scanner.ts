import type { ParseErrorCode, TargetForm } from '../types.js';
import { CR, FIELD_VALUE, HT, LF, SP, TARGET, TCHAR, COLON } from './chars.js';
import {
  K_CONNECTION, K_CONTENT_LENGTH, K_EXPECT, K_HOST, K_TRANSFER_ENCODING, K_UPGRADE, headerKind,
} from './header-kind.js';
import { latin1 } from './latin1.js';
import { parseContentLength } from './content-length.js';
import { eqLower } from './header-kind.js';
import { isValidHost } from './host.js';
import {
  CONN_BAD, CONN_CLOSE, CONN_KEEP_ALIVE, addTransferCodings, connectionBits, type TransferCodings,
} from './lists.js';
import { targetFormOf } from './target-form.js';

/** `scan` ran out of bytes: call it again with the same buffer extended by more bytes. */
export const NEED_MORE = -1;
/** `scan` failed: `error` says why. */
export const FAILED = -2;

const P_METHOD = 0;
const P_TARGET = 1;
const P_VERSION = 2;
const P_LINE_START = 3;
const P_NAME = 4;
const P_VALUE = 5;
const P_DONE = 6;

const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f];

/** Bytes decoded at once from a head's start when its strings are needed (covers pipelined heads). */
const DECODE_WINDOW = 4096;

/**
 * The incremental head (request line + header section) scanner. It walks the bytes once, in order,
 * validating each against its field's table; the first offending byte decides the error. When the
 * bytes run out it remembers where it stopped (phase and position), so a partial head is never
 * rescanned. Positions are offsets in the caller's buffer; `rebase` shifts them when the caller
 * moves the partial head to the front of a new buffer.
 */
export class HeadScanner {
  reqStart = 0;
  scanPos = 0;
  private phase = P_METHOD;
  private fieldStart = 0;
  private colon = 0;
  private methodEnd = 0;
  private targetStart = 0;
  private targetEnd = 0;
  /** Per header line: name start, name end, value start, value end (offsets in the buffer). */
  private offs: number[] = [];
  /** Used entries of `offs` (4 per header line). */
  private nOffs = 0;
  /**
   * A latin1 decoding of `winBuf`[winStart, winEnd): heads inside it are cut from it, so a push of
   * many small pipelined requests costs one native decode, not one per request.
   */
  private win = '';
  private winBuf: Uint8Array | undefined;
  private winStart = 0;
  private winEnd = 0;
  error: ParseErrorCode = 'None';

  method = '';
  target = '';
  targetForm: TargetForm = 'origin';
  versionMinor = 1;
  headers: Array<[string, string]> = [];

  // Facts gathered from the headers the parser interprets (see framing.ts).
  hostCount = 0;
  clSeen = false;
  contentLength = 0;
  readonly te: TransferCodings = { seen: false, codings: 0, chunked: 0, other: false, lastChunked: false };
  connection = 0;
  expectContinue = false;
  upgradeHeader = false;

  constructor(
    private readonly maxHead: number,
    private readonly maxHeaders: number,
  ) {}

  /** Starts a new request whose first byte is at `pos`. */
  reset(pos: number): void {
    this.reqStart = pos;
    this.scanPos = pos;
    this.phase = P_METHOD;
    this.error = 'None';
    this.nOffs = 0;
    this.versionMinor = 1;
    this.hostCount = 0;
    this.clSeen = false;
    this.contentLength = 0;
    const te = this.te;
    te.seen = false;
    te.codings = 0;
    te.chunked = 0;
    te.other = false;
    te.lastChunked = false;
    this.connection = 0;
    this.expectContinue = false;
    this.upgradeHeader = false;
  }

  /** The bytes of the buffer may have changed (a new push): forget the decoded window. */
  forgetDecoded(): void {
    this.winBuf = undefined;
  }

  /** The partial head moved `delta` bytes towards the buffer's start. */
  rebase(delta: number): void {
    this.winBuf = undefined;
    this.reqStart -= delta;
    this.scanPos -= delta;
    this.fieldStart -= delta;
    this.colon -= delta;
    this.methodEnd -= delta;
    this.targetStart -= delta;
    this.targetEnd -= delta;
    const offs = this.offs;
    for (let k = 0; k < this.nOffs; k++) offs[k]! -= delta;
  }

  private fail(code: ParseErrorCode): number {
    this.error = code;
    return FAILED;
  }

  /**
   * Scans from where the last call stopped up to `end`. Returns the offset just after the head's
   * final CRLF, NEED_MORE, or FAILED (see `error`). A head that has not ended within the limit
   * fails as soon as that is certain (414 while still in the request line, else 431).
   */
  scan(buf: Buffer, end: number): number {
    const limitEnd = this.reqStart + this.maxHead;
    const stop = end < limitEnd ? end : limitEnd;
    let i = this.scanPos;
    let phase = this.phase;
    // Local aliases: V8 keeps them in registers across the byte loops.
    const tchar = TCHAR;
    const target = TARGET;
    const fieldValue = FIELD_VALUE;
    outer: for (;;) {
      switch (phase) {
        case P_METHOD: {
          while (i < stop && tchar[buf[i]!] === 1) i++;
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === SP && i > this.reqStart) {
            this.methodEnd = i;
            this.fieldStart = ++i;
            phase = P_TARGET;
            continue;
          }
          return this.fail('BadMethod');
        }
        case P_TARGET: {
          while (i < stop && target[buf[i]!] === 1) i++;
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === SP && i > this.fieldStart) {
            const form = targetFormOf(buf, this.reqStart, this.methodEnd, this.fieldStart, i);
            if (form === null) return this.fail('BadTarget');
            this.targetStart = this.fieldStart;
            this.targetEnd = i;
            this.targetForm = form;
            this.fieldStart = ++i;
            phase = P_VERSION;
            continue;
          }
          if (c === SP) return this.fail('BadRequestLine');
          if (c === CR) {
            if (i + 1 >= stop) break outer;
            return this.fail(buf[i + 1] === LF ? 'BadRequestLine' : 'BareCarriageReturn');
          }
          return this.fail(c === LF ? 'BareLineFeed' : 'BadTarget');
        }
        case P_VERSION: {
          for (;;) {
            if (i >= stop) break outer;
            const c = buf[i]!;
            const k = i - this.fieldStart;
            if (k < 8) {
              const ok = k < 5 ? c === HTTP_SLASH[k] : k === 6 ? c === 0x2e : c >= 0x30 && c <= 0x39;
              if (!ok) return this.fail(k === 0 && c === SP ? 'BadRequestLine' : 'BadVersion');
              i++;
              continue;
            }
            if (c !== CR) return this.fail(c === LF ? 'BareLineFeed' : c === SP ? 'BadRequestLine' : 'BadVersion');
            if (i + 1 >= stop) break outer;
            if (buf[i + 1] !== LF) return this.fail('BareCarriageReturn');
            // RFC 9110 §2.5: HTTP/1.x with x > 1 is handled as HTTP/1.1; any other major is 505
            if (buf[this.fieldStart + 5] !== 0x31) return this.fail('VersionNotSupported');
            this.versionMinor = buf[this.fieldStart + 7] === 0x30 ? 0 : 1;
            i += 2;
            phase = P_LINE_START;
            break;
          }
          continue;
        }
        case P_LINE_START: {
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === CR) {
            if (i + 1 >= stop) break outer;
            if (buf[i + 1] !== LF) return this.fail('BareCarriageReturn');
            this.phase = P_DONE;
            this.scanPos = i + 2;
            this.decode(buf, i + 2, end);
            return i + 2;
          }
          if (c === LF) return this.fail('BareLineFeed');
          if (c === SP || c === HT) return this.fail(this.nOffs === 0 ? 'LeadingWhitespace' : 'ObsFold');
          if (this.nOffs >= this.maxHeaders * 4) return this.fail('TooManyHeaders');
          this.fieldStart = i;
          phase = P_NAME;
          continue;
        }
        case P_NAME: {
          while (i < stop && tchar[buf[i]!] === 1) i++;
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === COLON && i > this.fieldStart) {
            this.colon = i++;
            phase = P_VALUE;
            continue;
          }
          return this.fail(i > this.fieldStart && (c === SP || c === HT) ? 'WhitespaceBeforeColon' : 'BadHeaderName');
        }
        case P_VALUE: {
          while (i < stop && fieldValue[buf[i]!] === 1) i++;
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === CR) {
            if (i + 1 >= stop) break outer;
            if (buf[i + 1] !== LF) return this.fail('BareCarriageReturn');
            const err = this.addHeader(buf, i);
            if (err !== 'None') return this.fail(err);
            i += 2;
            phase = P_LINE_START;
            continue;
          }
          return this.fail(c === LF ? 'BareLineFeed' : 'BadHeaderValue');
        }
        default:
          return this.scanPos;
      }
    }
    // Out of bytes at `i`.
    this.scanPos = i;
    this.phase = phase;
    if (stop === limitEnd) return this.fail(phase <= P_VERSION ? 'TargetTooLong' : 'HeadTooLarge');
    return NEED_MORE;
  }

  /** Cuts the head's strings out of one latin1 decoding (the window, decoded here when needed). */
  private decode(buf: Buffer, headEnd: number, end: number): void {
    const base = this.reqStart;
    if (this.winBuf !== buf || base < this.winStart || headEnd > this.winEnd) {
      const winEnd = Math.min(end, Math.max(headEnd, base + DECODE_WINDOW));
      this.win = latin1(buf, base, winEnd);
      this.winBuf = buf;
      this.winStart = base;
      this.winEnd = winEnd;
    }
    const str = this.win;
    const off = this.winStart;
    this.method = str.slice(base - off, this.methodEnd - off);
    this.target = str.slice(this.targetStart - off, this.targetEnd - off);
    const offs = this.offs;
    const n = this.nOffs;
    const headers: Array<[string, string]> = new Array(n >> 2);
    for (let k = 0, h = 0; k < n; k += 4, h++) {
      headers[h] = [str.slice(offs[k]! - off, offs[k + 1]! - off), str.slice(offs[k + 2]! - off, offs[k + 3]! - off)];
    }
    this.headers = headers;
  }

  /**
   * Records the header line whose name is [fieldStart, colon) and whose value ends at `cr`, and
   * checks what can be checked on the line alone (a second Host or Content-Length, their syntax,
   * Connection and Transfer-Encoding list syntax).
   */
  private addHeader(buf: Buffer, cr: number): ParseErrorCode {
    const nameStart = this.fieldStart;
    const colon = this.colon;
    let vs = colon + 1;
    let ve = cr;
    while (vs < ve && (buf[vs] === SP || buf[vs] === HT)) vs++;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
    const offs = this.offs;
    const k = this.nOffs;
    offs[k] = nameStart;
    offs[k + 1] = colon;
    offs[k + 2] = vs;
    offs[k + 3] = ve;
    this.nOffs = k + 4;
    switch (headerKind(buf, nameStart, colon)) {
      case K_HOST:
        if (++this.hostCount > 1) return 'DuplicateHost';
        return isValidHost(buf, vs, ve, false) ? 'None' : 'BadHost';
      case K_CONTENT_LENGTH:
        if (this.clSeen) return 'DuplicateContentLength';
        this.clSeen = true;
        this.contentLength = parseContentLength(buf, vs, ve);
        return this.contentLength < 0 ? 'BadContentLength' : 'None';
      case K_TRANSFER_ENCODING:
        return addTransferCodings(latin1(buf, vs, ve), this.te);
      case K_CONNECTION: {
        let bits: number;
        if (ve - vs === 10 && eqLower(buf, vs, 'keep-alive')) bits = CONN_KEEP_ALIVE;
        else if (ve - vs === 5 && eqLower(buf, vs, 'close')) bits = CONN_CLOSE;
        else bits = connectionBits(latin1(buf, vs, ve));
        this.connection |= bits;
        return (bits & CONN_BAD) !== 0 ? 'BadConnection' : 'None';
      }
      case K_EXPECT:
        if (ve - vs === 12 && eqLower(buf, vs, '100-continue')) this.expectContinue = true;
        return 'None';
      case K_UPGRADE:
        this.upgradeHeader = true;
        return 'None';
      default:
        return 'None';
    }
  }
}
