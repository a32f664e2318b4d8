import type { ParseErrorCode, TargetForm } from '../types.js';
import { CR, FIELD_VALUE, HT, LF, SP, TARGET, TCHAR, COLON } from './chars.js';
import {
  K_CONNECTION, K_CONTENT_LENGTH, K_EXPECT, K_HOST, K_TRANSFER_ENCODING, K_UPGRADE, headerKind,
} from './header-kind.js';
import { latin1 } from './latin1.js';
import { connectionBits } from './lists.js';
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
  error: ParseErrorCode = 'None';

  method = '';
  target = '';
  targetForm: TargetForm = 'origin';
  versionMinor = 1;
  headers: Array<[string, string]> = [];

  // Facts gathered from the headers the parser interprets (see framing.ts).
  hostCount = 0;
  hostValue = '';
  clCount = 0;
  clValue = '';
  teValue: string | null = null;
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
    this.headers = [];
    this.versionMinor = 1;
    this.hostCount = 0;
    this.clCount = 0;
    this.teValue = null;
    this.connection = 0;
    this.expectContinue = false;
    this.upgradeHeader = false;
  }

  /** The partial head moved `delta` bytes towards the buffer's start. */
  rebase(delta: number): void {
    this.reqStart -= delta;
    this.scanPos -= delta;
    this.fieldStart -= delta;
    this.colon -= delta;
  }

  /** True while the request line is not complete (a limit hit there is 414, not 431). */
  get inRequestLine(): boolean {
    return this.phase <= P_VERSION;
  }

  private fail(code: ParseErrorCode): number {
    this.error = code;
    return FAILED;
  }

  /**
   * The error for a byte `c` at `i` that does not belong to the current field: LF is a bare LF; CR
   * is a bare CR unless LF follows (then `lineEnd`: the line ended too early); SP/HT is `ws`;
   * anything else is `other`. Returns '' when a CR is the last available byte (need more).
   */
  private stray(
    buf: Uint8Array, i: number, stop: number, c: number,
    ws: ParseErrorCode, lineEnd: ParseErrorCode, other: ParseErrorCode,
  ): ParseErrorCode | '' {
    if (c === LF) return 'BareLineFeed';
    if (c === CR) {
      if (i + 1 >= stop) return '';
      return buf[i + 1] === LF ? lineEnd : 'BareCarriageReturn';
    }
    if (c === SP || c === HT) return ws;
    return other;
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
    outer: for (;;) {
      switch (phase) {
        case P_METHOD: {
          while (i < stop && TCHAR[buf[i]!] === 1) i++;
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === SP && i > this.reqStart) {
            this.method = latin1(buf, this.reqStart, i);
            this.fieldStart = ++i;
            phase = P_TARGET;
            continue;
          }
          const e = this.stray(buf, i, stop, c, 'BadRequestLine', 'BadRequestLine', 'BadMethod');
          if (e === '') break outer;
          return this.fail(e);
        }
        case P_TARGET: {
          while (i < stop && TARGET[buf[i]!] === 1) i++;
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === SP && i > this.fieldStart) {
            this.target = latin1(buf, this.fieldStart, i);
            const form = targetFormOf(this.method, this.target);
            if (form === null) return this.fail('BadTarget');
            this.targetForm = form;
            this.fieldStart = ++i;
            phase = P_VERSION;
            continue;
          }
          const e = this.stray(buf, i, stop, c, 'BadRequestLine', 'BadRequestLine', 'BadTarget');
          if (e === '') break outer;
          return this.fail(e);
        }
        case P_VERSION: {
          for (;;) {
            if (i >= stop) break outer;
            const c = buf[i]!;
            const k = i - this.fieldStart;
            if (k < 8) {
              const ok = k < 5 ? c === HTTP_SLASH[k] : k === 6 ? c === 0x2e : c >= 0x30 && c <= 0x39;
              if (!ok) {
                const e = this.stray(buf, i, stop, c, 'BadRequestLine', 'BadVersion', 'BadVersion');
                if (e === '') break outer;
                return this.fail(e);
              }
              i++;
              continue;
            }
            if (c !== CR) {
              const e = this.stray(buf, i, stop, c, 'BadRequestLine', 'BadVersion', 'BadVersion');
              return this.fail(e === '' ? 'BadVersion' : e);
            }
            if (i + 1 >= stop) break outer;
            if (buf[i + 1] !== LF) return this.fail('BareCarriageReturn');
            if (buf[this.fieldStart + 5] !== 0x31) return this.fail('VersionNotSupported');
            // HTTP/1.x with x > 1 is processed as HTTP/1.1 (RFC 9110 §2.5).
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
            return i + 2;
          }
          if (c === LF) return this.fail('BareLineFeed');
          if (c === SP || c === HT) return this.fail(this.headers.length === 0 ? 'LeadingWhitespace' : 'ObsFold');
          if (this.headers.length >= this.maxHeaders) return this.fail('TooManyHeaders');
          this.fieldStart = i;
          phase = P_NAME;
          continue;
        }
        case P_NAME: {
          while (i < stop && TCHAR[buf[i]!] === 1) i++;
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === COLON && i > this.fieldStart) {
            this.colon = i++;
            phase = P_VALUE;
            continue;
          }
          const e = this.stray(buf, i, stop, c, 'WhitespaceBeforeColon', 'BadHeaderName', 'BadHeaderName');
          if (e === '') break outer;
          return this.fail(e);
        }
        case P_VALUE: {
          while (i < stop && FIELD_VALUE[buf[i]!] === 1) i++;
          if (i >= stop) break outer;
          const c = buf[i]!;
          if (c === CR) {
            if (i + 1 >= stop) break outer;
            if (buf[i + 1] !== LF) return this.fail('BareCarriageReturn');
            this.addHeader(buf, i);
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

  /** Records the header line whose name is [fieldStart, colon) and whose value ends at `cr`. */
  private addHeader(buf: Buffer, cr: number): void {
    const nameStart = this.fieldStart;
    const colon = this.colon;
    let vs = colon + 1;
    let ve = cr;
    while (vs < ve && (buf[vs] === SP || buf[vs] === HT)) vs++;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
    const value = latin1(buf, vs, ve);
    this.headers.push([latin1(buf, nameStart, colon), value]);
    switch (headerKind(buf, nameStart, colon)) {
      case K_HOST:
        if (this.hostCount++ === 0) this.hostValue = value;
        break;
      case K_CONTENT_LENGTH:
        if (this.clCount++ === 0) this.clValue = value;
        break;
      case K_TRANSFER_ENCODING:
        this.teValue = this.teValue === null ? value : `${this.teValue},${value}`;
        break;
      case K_CONNECTION:
        this.connection |= connectionBits(value);
        break;
      case K_EXPECT:
        if (value.length === 12 && value.toLowerCase() === '100-continue') this.expectContinue = true;
        break;
      case K_UPGRADE:
        if (value.length > 0) this.upgradeHeader = true;
        break;
      default:
        break;
    }
  }
}
