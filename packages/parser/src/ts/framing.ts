import type { ParseErrorCode } from '../types.js';
import type { HeadScanner } from './head-scanner.js';
import { CONN_CLOSE, CONN_KEEP_ALIVE, CONN_UPGRADE } from './lists.js';

/** How a request's body is framed and what the connection does after it. */
export interface Framing {
  bodyKind: 'none' | 'length' | 'chunked';
  contentLength: number;
  keepAlive: boolean;
  expectContinue: boolean;
  upgrade: boolean;
}

/**
 * The checks that need the whole header section, made once it is complete, in this order:
 * Transfer-Encoding (on HTTP/1.0; together with Content-Length; an empty list; a coding other than
 * chunked, 501; chunked not exactly once and last), then a missing Host on HTTP/1.1, then the body
 * limit against Content-Length (413). Fills `out` and returns 'None' when the head is acceptable.
 */
export function frame(h: HeadScanner, maxBody: number, out: Framing): ParseErrorCode {
  let bodyKind: Framing['bodyKind'] = h.clSeen ? 'length' : 'none';
  const te = h.te;
  if (te.seen) {
    if (h.versionMinor === 0) return 'TransferEncodingOnHttp10';
    if (h.clSeen) return 'ContentLengthWithTransferEncoding';
    if (te.codings === 0) return 'BadTransferEncoding';
    if (te.other) return 'UnknownTransferCoding';
    if (te.chunked !== 1 || !te.lastChunked) return 'BadTransferEncoding';
    bodyKind = 'chunked';
  }
  if (h.hostCount === 0 && h.versionMinor === 1) return 'MissingHost';
  if (bodyKind === 'length' && h.contentLength > maxBody) return 'BodyTooLarge';
  const http11 = h.versionMinor === 1;
  const conn = h.connection;
  out.bodyKind = bodyKind;
  out.contentLength = h.contentLength;
  out.keepAlive = (conn & CONN_CLOSE) === 0 && (http11 || (conn & CONN_KEEP_ALIVE) !== 0);
  // RFC 9110 §10.1.1 and §7.8: an HTTP/1.0 request's 100-continue and Upgrade are ignored.
  out.expectContinue = http11 && h.expectContinue;
  out.upgrade = http11 && (conn & CONN_UPGRADE) !== 0 && h.upgradeHeader;
  return 'None';
}
