/**
 * RFC 6455 WebSocket frames in TypeScript: the twin of `include/jato/parser/ws_frame.hpp` (same
 * contract, same case list in test/ws-corpus) for the pure-JS transport. A resumable parser for the
 * frames a client sends (masked), and the writer of the frames a server sends (unmasked).
 */

/** Frame opcodes (RFC 6455 §5.2). */
export const WsOpcode = { Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 } as const;

/** Close codes jato sends or reports (RFC 6455 §7.4.1). */
export const WsCloseCode = {
  Normal: 1000, GoingAway: 1001, ProtocolError: 1002, UnsupportedData: 1003, NoStatus: 1005,
  Abnormal: 1006, InvalidPayload: 1007, Policy: 1008, TooBig: 1009, MandatoryExtension: 1010,
  InternalError: 1011,
} as const;

/** Whether `code` may appear in a close frame on the wire (1000–1003, 1007–1014, 3000–4999). */
export function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Limits of a frame parser. */
export interface WsFrameLimits {
  /** Payload bytes of one (assembled) message (16 MiB): over it the parser fails with 1009. */
  maxMessage?: number;
  /** Client frames must be masked (true): an unmasked one is a 1002. */
  requireMask?: boolean;
  /** RSV1 is allowed on a message's first frame (permessage-deflate negotiated; false). */
  allowRsv1?: boolean;
}

/** What the parser reports; a hook returning false pauses after that frame. */
export interface WsFrameHandlers {
  /** A whole text (1) or binary (2) message; text is valid UTF-8 unless `compressed`. */
  onMessage(opcode: number, data: Uint8Array, compressed: boolean): boolean | void;
  /** A ping (9) or pong (10). */
  onControl(opcode: number, data: Uint8Array): boolean | void;
  /** A valid close frame (code 1005 when it had no payload); nothing more is parsed. */
  onClose(code: number, reason: Uint8Array): void;
  /** A protocol error: 1002, 1007 or 1009; nothing more is parsed. */
  onError(code: number): void;
}

/** Incremental UTF-8 validation (RFC 3629). */
export class Utf8Validator {
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;

  /** Feeds bytes; false as soon as they cannot be part of valid UTF-8. */
  feed(p: Uint8Array, start = 0, end = p.length): boolean {
    let need = this.need;
    let lo = this.lo;
    let hi = this.hi;
    for (let i = start; i < end; i++) {
      const b = p[i]!;
      if (need === 0) {
        if (b < 0x80) continue;
        if (b < 0xc2) return false;
        if (b < 0xe0) {
          need = 1; lo = 0x80; hi = 0xbf;
        } else if (b < 0xf0) {
          need = 2; lo = b === 0xe0 ? 0xa0 : 0x80; hi = b === 0xed ? 0x9f : 0xbf;
        } else if (b < 0xf5) {
          need = 3; lo = b === 0xf0 ? 0x90 : 0x80; hi = b === 0xf4 ? 0x8f : 0xbf;
        } else {
          return false;
        }
      } else {
        if (b < lo || b > hi) return false;
        lo = 0x80; hi = 0xbf; need--;
      }
    }
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return true;
  }

  /** True at a code point boundary. */
  complete(): boolean {
    return this.need === 0;
  }

  reset(): void {
    this.need = 0; this.lo = 0x80; this.hi = 0xbf;
  }
}

/** Whether `p` is valid UTF-8. */
export function validUtf8(p: Uint8Array): boolean {
  const v = new Utf8Validator();
  return v.feed(p) && v.complete();
}

/** XORs p[start, end) with `mask` from byte `phase` of it; returns the phase after the last byte. */
export function unmask(p: Uint8Array, start: number, end: number, mask: Uint8Array, phase: number): number {
  const m0 = mask[phase & 3]!, m1 = mask[(phase + 1) & 3]!, m2 = mask[(phase + 2) & 3]!, m3 = mask[(phase + 3) & 3]!;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    p[i] = p[i]! ^ m0; p[i + 1] = p[i + 1]! ^ m1; p[i + 2] = p[i + 2]! ^ m2; p[i + 3] = p[i + 3]! ^ m3;
  }
  const tail = [m0, m1, m2, m3];
  for (let k = 0; i < end; i++, k++) p[i] = p[i]! ^ tail[k]!;
  return (phase + (end - start)) & 3;
}

/** Header bytes of a server frame with a `len`-byte payload. */
export function wsHeaderSize(len: number): number {
  return len < 126 ? 2 : len <= 0xffff ? 4 : 10;
}

/** Writes an unmasked frame header into `out` at `at`; returns its size. */
export function writeWsHeader(out: Uint8Array, at: number, opcode: number, len: number, fin = true, rsv1 = false): number {
  out[at] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0f);
  if (len < 126) {
    out[at + 1] = len;
    return 2;
  }
  if (len <= 0xffff) {
    out[at + 1] = 126;
    out[at + 2] = len >>> 8;
    out[at + 3] = len & 0xff;
    return 4;
  }
  out[at + 1] = 127;
  const hi = Math.floor(len / 0x1_0000_0000);
  const lo = len >>> 0;
  out[at + 2] = hi >>> 24; out[at + 3] = (hi >>> 16) & 0xff; out[at + 4] = (hi >>> 8) & 0xff; out[at + 5] = hi & 0xff;
  out[at + 6] = lo >>> 24; out[at + 7] = (lo >>> 16) & 0xff; out[at + 8] = (lo >>> 8) & 0xff; out[at + 9] = lo & 0xff;
  return 10;
}

/** A whole unmasked frame (header + payload) in one Buffer. */
export function encodeWsFrame(opcode: number, payload: Uint8Array, fin = true, rsv1 = false): Buffer {
  const h = wsHeaderSize(payload.length);
  const out = Buffer.allocUnsafe(h + payload.length);
  writeWsHeader(out, 0, opcode, payload.length, fin, rsv1);
  out.set(payload, h);
  return out;
}

/** A close frame; the reason is cut at 123 bytes (at a UTF-8 boundary). Code 1005: empty frame. */
export function encodeWsClose(code: number, reason = ''): Buffer {
  if (code === WsCloseCode.NoStatus) return Buffer.from([0x88, 0]);
  let r = Buffer.from(reason, 'utf8');
  if (r.length > 123) {
    let cut = 123;
    while (cut > 0 && (r[cut]! & 0xc0) === 0x80) cut--;
    r = r.subarray(0, cut);
  }
  const payload = Buffer.allocUnsafe(2 + r.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(r, 2);
  return encodeWsFrame(WsOpcode.Close, payload);
}

const HEADER = 0;
const PAYLOAD = 1;
const DONE = 2;
const EMPTY = new Uint8Array(0);

/**
 * Resumable parser of client frames (the contract of ws_frame.hpp's `jato::ws::Parser`). `parse`
 * unmasks payloads IN PLACE in the chunk it is given, keeps what a partial frame needs itself, and
 * returns the bytes consumed (all, unless a handler paused it).
 */
export class WsFrameParser {
  private readonly maxMessage: number;
  private readonly requireMask: boolean;
  private readonly allowRsv1: boolean;
  private state = HEADER;
  private readonly hdr = new Uint8Array(14);
  private hdrHave = 0;
  private hdrNeed = 2;
  private op = 0;
  private msgOp = 0;
  private fin = false;
  private rsv1 = false;
  private masked = false;
  private msgCompressed = false;
  private checkUtf8 = false;
  private readonly mask = new Uint8Array(4);
  private phase = 0;
  private remaining = 0;
  private frameLen = 0;
  private readonly ctrl = new Uint8Array(125);
  private ctrlLen = 0;
  private readonly utf8 = new Utf8Validator();
  private parts: Uint8Array[] = [];
  private msgLen = 0;

  constructor(private readonly h: WsFrameHandlers, limits: WsFrameLimits = {}) {
    this.maxMessage = limits.maxMessage ?? 16 * 1024 * 1024;
    this.requireMask = limits.requireMask ?? true;
    this.allowRsv1 = limits.allowRsv1 ?? false;
  }

  /** A close frame or an error ended parsing. */
  get done(): boolean {
    return this.state === DONE;
  }

  /** Bytes held for partial frames and the message being assembled. */
  get buffered(): number {
    return this.msgLen + this.hdrHave + this.ctrlLen;
  }

  /** Feeds a chunk (written to: payloads are unmasked in place); returns the bytes consumed. */
  parse(p: Uint8Array): number {
    const n = p.length;
    let i = 0;
    while (i < n) {
      if (this.state === DONE) return n;
      if (this.state === HEADER) {
        // header bytes
        if (this.hdrHave < 2) {
          while (this.hdrHave < 2 && i < n) this.hdr[this.hdrHave++] = p[i++]!;
          if (this.hdrHave < 2) return n;
          if (!this.checkFirstTwo()) return n;
        }
        while (this.hdrHave < this.hdrNeed && i < n) this.hdr[this.hdrHave++] = p[i++]!;
        if (this.hdrHave < this.hdrNeed) return n;
        if (!this.headerDone()) return n;
        if (this.remaining === 0 && !this.finishFrame(null)) return i;
        continue;
      }
      const take = Math.min(n - i, this.remaining);
      const start = i;
      if (this.masked) this.phase = unmask(p, i, i + take, this.mask, this.phase);
      i += take;
      this.remaining -= take;
      if (this.op >= 8) {
        this.ctrl.set(p.subarray(start, i), this.ctrlLen);
        this.ctrlLen += take;
        if (this.remaining === 0 && !this.finishFrame(null)) return i;
        continue;
      }
      if (this.checkUtf8 && !this.utf8.feed(p, start, i)) {
        this.fail(WsCloseCode.InvalidPayload);
        return n;
      }
      if (this.remaining === 0 && this.fin && this.msgLen === 0 && take === this.frameLen) {
        if (!this.finishFrame(p.subarray(start, i))) return i;
        continue;
      }
      if (take > 0) {
        this.parts.push(p.slice(start, i));
        this.msgLen += take;
      }
      if (this.remaining === 0 && !this.finishFrame(null)) return i;
    }
    return n;
  }

  private fail(code: number): void {
    this.state = DONE;
    this.parts = [];
    this.msgLen = 0;
    this.h.onError(code);
  }

  private checkFirstTwo(): boolean {
    const b0 = this.hdr[0]!;
    const b1 = this.hdr[1]!;
    this.fin = (b0 & 0x80) !== 0;
    this.rsv1 = (b0 & 0x40) !== 0;
    this.op = b0 & 0x0f;
    this.masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    let ok = (b0 & 0x30) === 0 && (this.masked || !this.requireMask);
    const op = this.op;
    if (op >= 8) {
      ok = ok && (op === 8 || op === 9 || op === 10) && this.fin && len7 <= 125 && !this.rsv1;
    } else if (op === 0) {
      ok = ok && this.msgOp !== 0 && !this.rsv1;
    } else {
      ok = ok && (op === 1 || op === 2) && this.msgOp === 0 && (!this.rsv1 || this.allowRsv1);
    }
    if (!ok) {
      this.fail(WsCloseCode.ProtocolError);
      return false;
    }
    this.hdrNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (this.masked ? 4 : 0);
    return true;
  }

  private headerDone(): boolean {
    const hdr = this.hdr;
    const len7 = hdr[1]! & 0x7f;
    let len = len7;
    let at = 2;
    if (len7 === 126) {
      len = (hdr[2]! << 8) | hdr[3]!;
      at = 4;
    } else if (len7 === 127) {
      if ((hdr[2]! & 0x80) !== 0) {
        this.fail(WsCloseCode.ProtocolError);
        return false;
      }
      const hi = ((hdr[2]! << 24) | (hdr[3]! << 16) | (hdr[4]! << 8) | hdr[5]!) >>> 0;
      const lo = ((hdr[6]! << 24) | (hdr[7]! << 16) | (hdr[8]! << 8) | hdr[9]!) >>> 0;
      // above 2^53 the exact value does not matter: it is over any message limit
      len = hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x1_0000_0000 + lo;
      at = 10;
    }
    if (this.masked) this.mask.set(hdr.subarray(at, at + 4));
    this.phase = 0;
    this.hdrHave = 0;
    this.remaining = len;
    this.frameLen = len;
    if (this.op < 8) {
      if (this.msgLen + len > this.maxMessage) {
        this.fail(WsCloseCode.TooBig);
        return false;
      }
      if (this.op !== 0) {
        this.msgOp = this.op;
        this.msgCompressed = this.rsv1;
        this.checkUtf8 = this.op === 1 && !this.rsv1;
        this.utf8.reset();
      }
    } else {
      this.ctrlLen = 0;
    }
    this.state = PAYLOAD;
    return true;
  }

  private finishFrame(inplace: Uint8Array | null): boolean {
    this.state = HEADER;
    if (this.op >= 8) return this.control();
    if (!this.fin) return true;
    const op = this.msgOp;
    const compressed = this.msgCompressed;
    this.msgOp = 0;
    if (this.checkUtf8 && !this.utf8.complete()) {
      this.fail(WsCloseCode.InvalidPayload);
      return false;
    }
    let data: Uint8Array;
    if (inplace !== null) {
      data = inplace;
    } else {
      const parts = this.parts;
      data = parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.msgLen);
      this.parts = [];
      this.msgLen = 0;
    }
    return this.h.onMessage(op, data, compressed) !== false;
  }

  private control(): boolean {
    const len = this.ctrlLen;
    const payload = this.ctrl.subarray(0, len);
    if (this.op !== 8) return this.h.onControl(this.op, payload) !== false;
    if (len === 1) {
      this.fail(WsCloseCode.ProtocolError);
      return false;
    }
    let code: number = WsCloseCode.NoStatus;
    if (len >= 2) {
      code = (payload[0]! << 8) | payload[1]!;
      if (!validCloseCode(code)) {
        this.fail(WsCloseCode.ProtocolError);
        return false;
      }
      if (!validUtf8(payload.subarray(2))) {
        this.fail(WsCloseCode.InvalidPayload);
        return false;
      }
    }
    this.state = DONE;
    this.parts = [];
    this.msgLen = 0;
    this.h.onClose(code, len >= 2 ? payload.subarray(2) : EMPTY);
    return false;
  }
}
