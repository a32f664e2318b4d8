import type { ParseErrorCode } from '../types.js';
import { QDTEXT, TCHAR } from './chars.js';

/** Connection option bit: `close`. */
export const CONN_CLOSE = 1;
/** Connection option bit: `keep-alive`. */
export const CONN_KEEP_ALIVE = 2;
/** Connection option bit: `upgrade`. */
export const CONN_UPGRADE = 4;
/** Connection option bit: an element that is not a token. */
export const CONN_BAD = 8;

const isOws = (c: number): boolean => c === 0x20 || c === 0x09;
const isTchar = (c: number): boolean => c <= 0xff && TCHAR[c] === 1;

/** Splits a field value on commas, trims OWS, drops empty elements (RFC 9110 §5.6.1). */
function elements(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const e = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (e.length > 0) out.push(e);
  }
  return out;
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    if (!isTchar(s.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * The options of a `Connection` value (RFC 9110 §7.6.1) as bits: 1 close, 2 keep-alive, 4 upgrade,
 * 8 an element that is not a token (BadConnection). Case-insensitive.
 */
export function connectionBits(value: string): number {
  // Fast paths for the values browsers and load generators send.
  if (value === 'keep-alive') return CONN_KEEP_ALIVE;
  if (value === 'close') return CONN_CLOSE;
  let bits = 0;
  for (const e of elements(value)) {
    if (!isToken(e)) {
      bits |= CONN_BAD;
      continue;
    }
    const l = e.toLowerCase();
    if (l === 'close') bits |= CONN_CLOSE;
    else if (l === 'keep-alive') bits |= CONN_KEEP_ALIVE;
    else if (l === 'upgrade') bits |= CONN_UPGRADE;
  }
  return bits;
}

/** What the Transfer-Encoding lines of one request said so far. */
export interface TransferCodings {
  seen: boolean;
  /** Codings listed (empty list elements ignored). */
  codings: number;
  /** How many of them are `chunked`. */
  chunked: number;
  /** A coding other than chunked was listed. */
  other: boolean;
  /** The last coding listed is chunked. */
  lastChunked: boolean;
}

/**
 * Adds one Transfer-Encoding line to `te` (RFC 9112 §7, RFC 9110 §5.6.1): `#transfer-coding` where
 * transfer-coding = token *( OWS ";" OWS token OWS "=" OWS ( token / quoted-string ) ), empty list
 * elements ignored, names case-insensitive; `chunked` takes no parameters. Returns
 * BadTransferEncoding on a syntax error, else 'None' (the list as a whole is judged at the head's end).
 */
export function addTransferCodings(v: string, te: TransferCodings): ParseErrorCode {
  te.seen = true;
  const n = v.length;
  let i = 0;
  while (i < n) {
    while (i < n && (isOws(v.charCodeAt(i)) || v.charCodeAt(i) === 0x2c)) i++;
    if (i >= n) break;
    const s = i;
    while (i < n && isTchar(v.charCodeAt(i))) i++;
    const e = i;
    if (e === s) return 'BadTransferEncoding';
    let params = false;
    while (i < n && v.charCodeAt(i) !== 0x2c) {
      while (i < n && isOws(v.charCodeAt(i))) i++;
      if (i >= n || v.charCodeAt(i) === 0x2c) break;
      if (v.charCodeAt(i) !== 0x3b) return 'BadTransferEncoding';
      params = true;
      i++;
      while (i < n && isOws(v.charCodeAt(i))) i++;
      const ps = i;
      while (i < n && isTchar(v.charCodeAt(i))) i++;
      if (i === ps) return 'BadTransferEncoding';
      while (i < n && isOws(v.charCodeAt(i))) i++;
      if (i >= n || v.charCodeAt(i) !== 0x3d) return 'BadTransferEncoding';
      i++;
      while (i < n && isOws(v.charCodeAt(i))) i++;
      if (i < n && v.charCodeAt(i) === 0x22) {
        i++;
        let closed = false;
        while (i < n) {
          const c = v.charCodeAt(i++);
          if (c === 0x22) {
            closed = true;
            break;
          }
          if (c === 0x5c) {
            if (i >= n) return 'BadTransferEncoding';
            i++;
          } else if (QDTEXT[c] !== 1) {
            return 'BadTransferEncoding';
          }
        }
        if (!closed) return 'BadTransferEncoding';
      } else {
        const vs = i;
        while (i < n && isTchar(v.charCodeAt(i))) i++;
        if (i === vs) return 'BadTransferEncoding';
      }
    }
    te.codings++;
    if (e - s === 7 && v.slice(s, e).toLowerCase() === 'chunked') {
      if (params) return 'BadTransferEncoding';
      te.chunked++;
      te.lastChunked = true;
    } else {
      te.other = true;
      te.lastChunked = false;
    }
  }
  return 'None';
}
