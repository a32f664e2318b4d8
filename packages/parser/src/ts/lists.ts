import type { ParseErrorCode } from '../types.js';
import { TCHAR } from './chars.js';

/** Connection option bits returned by `connectionBits`. */
export const CONN_CLOSE = 1;
export const CONN_KEEP_ALIVE = 2;
export const CONN_UPGRADE = 4;
export const CONN_BAD = 8;

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
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] !== 1) return false;
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

/**
 * Checks the transfer codings of a request (all Transfer-Encoding lines joined by commas),
 * RFC 9112 §6.1 and §7: every element is a token, optionally with `;` parameters; the final
 * coding must be `chunked` (case-insensitive, without parameters) and appear once, else 400
 * BadTransferEncoding; any other coding before it is one we cannot decode: 501 UnknownTransferCoding.
 */
export function checkTransferCodings(value: string): ParseErrorCode {
  const names: string[] = [];
  const hasParams: boolean[] = [];
  for (const e of elements(value)) {
    const semi = e.indexOf(';');
    const name = (semi < 0 ? e : e.slice(0, semi)).replace(/[ \t]+$/, '');
    if (!isToken(name)) return 'BadTransferEncoding';
    names.push(name.toLowerCase());
    hasParams.push(semi >= 0);
  }
  const n = names.length;
  if (n === 0 || names[n - 1] !== 'chunked' || hasParams[n - 1] === true) return 'BadTransferEncoding';
  for (let i = 0; i < n - 1; i++) if (names[i] === 'chunked') return 'BadTransferEncoding';
  return n > 1 ? 'UnknownTransferCoding' : 'None';
}
