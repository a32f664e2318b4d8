import type { ParseErrorCode } from '../types.js';
import type { HeadScanner } from './head-scanner.js';
import { isValidHost } from './host.js';
import { CONN_BAD, CONN_CLOSE, CONN_KEEP_ALIVE, CONN_UPGRADE, checkTransferCodings } from './lists.js';

/** How a request's body is framed and what the connection does after it. */
export interface Framing {
  bodyKind: 'none' | 'length' | 'chunked';
  contentLength: number;
  keepAlive: boolean;
  expectContinue: boolean;
  upgrade: boolean;
}

const U64_MAX = '18446744073709551615';

/**
 * Parses a Content-Length value: 1*DIGIT (leading zeros allowed), overflow-checked against
 * uint64. Returns -1 when invalid; values above 2^53 come back imprecise but always larger than
 * any body limit.
 */
export function parseContentLength(v: string): number {
  const n = v.length;
  if (n === 0) return -1;
  let first = -1;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    if (first < 0 && d !== 0) first = i;
    value = value * 10 + d;
  }
  if (first >= 0) {
    const sig = n - first;
    if (sig > 20 || (sig === 20 && v.slice(first) > U64_MAX)) return -1;
  }
  return value;
}

/**
 * The checks made once the whole head is syntactically valid, in this order (the first failing
 * one is the error): Content-Length (duplicate, then syntax), Transfer-Encoding (on HTTP/1.0,
 * together with Content-Length, then its codings), Host (missing or duplicate on HTTP/1.1, then
 * syntax), Connection syntax, and last the body limit against Content-Length (413).
 */
export function frame(h: HeadScanner, maxBody: number, out: Framing): ParseErrorCode {
  let contentLength = 0;
  let bodyKind: Framing['bodyKind'] = 'none';
  if (h.clCount > 1) return 'DuplicateContentLength';
  if (h.clCount === 1) {
    contentLength = parseContentLength(h.clValue);
    if (contentLength < 0) return 'BadContentLength';
    bodyKind = 'length';
  }
  if (h.teValue !== null) {
    if (h.versionMinor === 0) return 'TransferEncodingOnHttp10';
    if (h.clCount > 0) return 'ContentLengthWithTransferEncoding';
    const te = checkTransferCodings(h.teValue);
    if (te !== 'None') return te;
    bodyKind = 'chunked';
  }
  if (h.hostCount === 0 && h.versionMinor === 1) return 'MissingHost';
  if (h.hostCount > 1) return 'DuplicateHost';
  if (h.hostCount === 1 && !isValidHost(h.hostValue, false)) return 'BadHost';
  const conn = h.connection;
  if ((conn & CONN_BAD) !== 0) return 'BadConnection';
  if (bodyKind === 'length' && contentLength > maxBody) return 'BodyTooLarge';
  const http11 = h.versionMinor === 1;
  out.bodyKind = bodyKind;
  out.contentLength = contentLength;
  out.keepAlive = (conn & CONN_CLOSE) === 0 && (http11 || (conn & CONN_KEEP_ALIVE) !== 0);
  out.expectContinue = http11 && h.expectContinue;
  out.upgrade = http11 && (conn & CONN_UPGRADE) !== 0 && h.upgradeHeader;
  return 'None';
}
