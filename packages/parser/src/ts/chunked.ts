import type { ParseErrorCode } from '../types.js';
import {
  BACKSLASH, CR, DQUOTE, EQUALS, FIELD_VALUE, HEX_VALUE, HT, LF, QDTEXT, QUOTED_PAIR, SEMICOLON, SP, TCHAR,
  COLON,
} from './chars.js';
import { latin1 } from './latin1.js';

const S_SIZE_START = 0;
const S_SIZE = 1;
const S_EXT_PRE_SEMI = 2; // whitespace after the size or a value: only ';' may follow
const S_EXT_NAME_BWS = 3;
const S_EXT_NAME = 4;
const S_EXT_AFTER_NAME = 5;
const S_EXT_VAL_BWS = 6;
const S_EXT_VAL_TOKEN = 7;
const S_EXT_QUOTED = 8;
const S_EXT_QUOTED_ESC = 9;
const S_EXT_VAL_TOKEN_END = 10; // after a quoted value: like after a token value, minus token bytes
const S_SIZE_LF = 11;
const S_DATA = 12;
const S_DATA_CR = 13;
const S_DATA_LF = 14;
const S_TR_LINE_START = 15; // every state from here on is in the trailer section
const S_TR_NAME = 16;
const S_TR_VALUE = 17;
const S_TR_VALUE_LF = 18;
const S_TR_FINAL_LF = 19;
const S_DONE = 20;

/** Chunk-extension bytes allowed on one chunk-size line (BadChunkExtension beyond). */
export const MAX_CHUNK_EXTENSION = 4096;
/** extByte's answer for a LF where the line may end: a bare LF. */
const S_LINE_LF = -2;

/**
 * Incremental decoder of a chunked body (RFC 9112 §7.1): chunk sizes (hex, overflow-checked),
 * extensions (validated, then ignored), data, and the trailer section. It keeps no input: data is
 * copied out as it arrives, and only the current trailer line is buffered.
 *
 * Errors: a bad size BadChunkSize; a bad extension BadChunkExtension; LF without CR ending a size
 * line BareLineFeed, CR without LF there BareCarriageReturn; anything but CRLF after the data
 * BadChunkData; any malformed trailer line BadTrailer; sizes summing over the body limit
 * BodyTooLarge (decided when a size's digits end); a trailer section over the head limit
 * HeadTooLarge; more trailer lines than the header limit TooManyHeaders.
 */
export class ChunkedDecoder {
  error: ParseErrorCode = 'None';
  /** Decoded body bytes so far. */
  total = 0;
  /** Data bytes received so far are data[0, fill); grows by doubling (never shared between bodies). */
  private data = new Uint8Array(0);
  private fill = 0;
  trailers: Array<[string, string]> = [];
  /** Set while the body is streamed: data bytes go here (views of the fed buffer) instead of being kept. */
  sink: ((data: Uint8Array) => void) | null = null;

  private state = S_SIZE_START;
  private size = 0;
  /** Hex digits of the size after its leading zeros, and the first of them: sizes stay below 2^63. */
  private sigDigits = 0;
  private firstDigit = 0;
  private extLen = 0;
  private remaining = 0;
  private trailerBytes = 0;
  private line: Buffer = Buffer.alloc(0);
  private lineLen = 0;
  private nameLen = 0;

  constructor(
    /** Decoded body limit (raised for a streamed body by `streamBody`). */
    public maxBody: number,
    private readonly maxHead: number,
    private readonly maxHeaders: number,
  ) {}

  /** True once the last chunk and the trailer section are complete. */
  get done(): boolean {
    return this.state === S_DONE;
  }

  /** Starts a new body. */
  reset(): void {
    this.error = 'None';
    this.total = 0;
    this.data = new Uint8Array(0);
    this.fill = 0;
    this.trailers = [];
    this.sink = null;
    this.state = S_SIZE_START;
    this.trailerBytes = 0;
  }

  /** The decoded body (a view of the bytes received; valid until `reset`, which never reuses them). */
  body(): Uint8Array {
    return this.fill === this.data.length ? this.data : this.data.subarray(0, this.fill);
  }

  /** Appends data bytes [start, end) of `buf`. */
  private append(buf: Buffer, start: number, end: number): void {
    if (this.sink !== null) {
      this.sink(buf.subarray(start, end));
      return;
    }
    const need = this.fill + (end - start);
    if (need > this.data.length) {
      const grown = new Uint8Array(Math.max(need, Math.min(this.data.length * 2, this.maxBody), 1024));
      grown.set(this.data.subarray(0, this.fill));
      this.data = grown;
    }
    this.data.set(buf.subarray(start, end), this.fill);
    this.fill = need;
  }

  private fail(code: ParseErrorCode): number {
    this.error = code;
    return -1;
  }

  /**
   * Consumes bytes [pos, end). Returns the offset after the last consumed byte (the message may
   * end before `end`: see `done`), or -1 on error (see `error`).
   */
  feed(buf: Buffer, pos: number, end: number): number {
    let i = pos;
    let state = this.state;
    while (i < end) {
      if (state === S_DATA) {
        const n = Math.min(this.remaining, end - i);
        this.append(buf, i, i + n);
        this.remaining -= n;
        i += n;
        if (this.remaining === 0) state = S_DATA_CR;
        continue;
      }
      const c = buf[i]!;
      if (state >= S_TR_LINE_START) {
        state = this.trailerByte(state, c);
        i++;
        if (state < 0) return -1;
        if (state === S_DONE) break;
        if (++this.trailerBytes >= this.maxHead) return this.fail('HeadTooLarge');
        continue;
      }
      i++;
      switch (state) {
        case S_SIZE_START: {
          const d = HEX_VALUE[c]!;
          if (d === 255) return this.fail('BadChunkSize');
          this.size = d;
          this.sigDigits = d === 0 ? 0 : 1;
          this.firstDigit = d;
          state = S_SIZE;
          break;
        }
        case S_SIZE: {
          const d = HEX_VALUE[c]!;
          if (d !== 255) {
            // Exact in integers: the size so far is >= 2^59 when it has 16 significant digits, or
            // 15 with a first digit >= 8 (floats round near 2^59, so digits are counted instead).
            const sig = this.sigDigits;
            if (sig === 16 || (sig === 15 && this.firstDigit >= 8)) return this.fail('BadChunkSize');
            if (sig > 0 || d !== 0) {
              if (sig === 0) this.firstDigit = d;
              this.sigDigits = sig + 1;
            }
            this.size = this.size * 16 + d;
            break;
          }
          if (c !== CR && c !== LF && c !== SEMICOLON && c !== SP && c !== HT) return this.fail('BadChunkSize');
          if (this.size > this.maxBody - this.total) return this.fail('BodyTooLarge');
          if (c === LF) return this.fail('BareLineFeed');
          this.extLen = 0;
          state = c === CR ? S_SIZE_LF : c === SEMICOLON ? S_EXT_NAME_BWS : S_EXT_PRE_SEMI;
          break;
        }
        case S_SIZE_LF:
          if (c !== LF) return this.fail('BareCarriageReturn');
          if (this.size === 0) {
            state = S_TR_LINE_START;
          } else {
            this.remaining = this.size;
            this.total += this.size;
            state = S_DATA;
          }
          break;
        case S_DATA_CR:
          if (c !== CR) return this.fail('BadChunkData');
          state = S_DATA_LF;
          break;
        case S_DATA_LF:
          if (c !== LF) return this.fail('BadChunkData');
          state = S_SIZE_START;
          break;
        default: {
          // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
          if (++this.extLen > MAX_CHUNK_EXTENSION) return this.fail('BadChunkExtension');
          const next = this.extByte(state, c);
          if (next === S_LINE_LF) return this.fail('BareLineFeed');
          if (next < 0) return this.fail('BadChunkExtension');
          state = next;
        }
      }
    }
    this.state = state;
    return i;
  }

  /** One byte of a chunk extension: the next state, or -1. */
  private extByte(state: number, c: number): number {
    const ws = c === SP || c === HT;
    switch (state) {
      case S_EXT_PRE_SEMI:
        return ws ? state : c === SEMICOLON ? S_EXT_NAME_BWS : -1;
      case S_EXT_NAME_BWS:
        return ws ? state : TCHAR[c] === 1 ? S_EXT_NAME : -1;
      case S_EXT_NAME:
        if (TCHAR[c] === 1) return state;
        if (c === CR) return S_SIZE_LF;
        if (c === LF) return S_LINE_LF;
        if (c === SEMICOLON) return S_EXT_NAME_BWS;
        if (c === EQUALS) return S_EXT_VAL_BWS;
        return ws ? S_EXT_AFTER_NAME : -1;
      case S_EXT_AFTER_NAME:
        if (ws) return state;
        if (c === SEMICOLON) return S_EXT_NAME_BWS;
        return c === EQUALS ? S_EXT_VAL_BWS : -1;
      case S_EXT_VAL_BWS:
        if (ws) return state;
        if (c === DQUOTE) return S_EXT_QUOTED;
        return TCHAR[c] === 1 ? S_EXT_VAL_TOKEN : -1;
      case S_EXT_VAL_TOKEN:
        if (TCHAR[c] === 1) return state;
        if (c === CR) return S_SIZE_LF;
        if (c === LF) return S_LINE_LF;
        if (c === SEMICOLON) return S_EXT_NAME_BWS;
        return ws ? S_EXT_PRE_SEMI : -1;
      case S_EXT_QUOTED:
        if (c === DQUOTE) return S_EXT_VAL_TOKEN_END;
        if (c === BACKSLASH) return S_EXT_QUOTED_ESC;
        return QDTEXT[c] === 1 ? state : -1;
      case S_EXT_QUOTED_ESC:
        return QUOTED_PAIR[c] === 1 ? S_EXT_QUOTED : -1;
      case S_EXT_VAL_TOKEN_END:
        if (c === CR) return S_SIZE_LF;
        if (c === LF) return S_LINE_LF;
        if (c === SEMICOLON) return S_EXT_NAME_BWS;
        return ws ? S_EXT_PRE_SEMI : -1;
      default:
        return -1;
    }
  }

  private pushLineByte(c: number): void {
    if (this.lineLen === this.line.length) {
      const grown = Buffer.allocUnsafe(Math.max(64, this.line.length * 2));
      this.line.copy(grown, 0, 0, this.lineLen);
      this.line = grown;
    }
    this.line[this.lineLen++] = c;
  }

  /** One byte of the trailer section: the next state, or -1 (error set). */
  private trailerByte(state: number, c: number): number {
    switch (state) {
      case S_TR_LINE_START:
        if (c === CR) return S_TR_FINAL_LF;
        if (this.trailers.length >= this.maxHeaders) return this.fail('TooManyHeaders');
        if (TCHAR[c] !== 1) return this.fail('BadTrailer');
        this.lineLen = 0;
        this.pushLineByte(c);
        return S_TR_NAME;
      case S_TR_NAME:
        if (c === COLON) {
          this.nameLen = this.lineLen;
          return S_TR_VALUE;
        }
        if (TCHAR[c] !== 1) return this.fail('BadTrailer');
        this.pushLineByte(c);
        return state;
      case S_TR_VALUE:
        if (c === CR) return S_TR_VALUE_LF;
        if (FIELD_VALUE[c] !== 1) return this.fail('BadTrailer');
        this.pushLineByte(c);
        return state;
      case S_TR_VALUE_LF: {
        if (c !== LF) return this.fail('BadTrailer');
        const line = this.line;
        let vs = this.nameLen;
        let ve = this.lineLen;
        while (vs < ve && (line[vs] === SP || line[vs] === HT)) vs++;
        while (ve > vs && (line[ve - 1] === SP || line[ve - 1] === HT)) ve--;
        this.trailers.push([latin1(line, 0, this.nameLen), latin1(line, vs, ve)]);
        return S_TR_LINE_START;
      }
      case S_TR_FINAL_LF:
        return c === LF ? S_DONE : this.fail('BadTrailer');
      default:
        return this.fail('BadTrailer');
    }
  }
}
