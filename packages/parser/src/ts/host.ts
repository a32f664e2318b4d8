import { HEX_VALUE, IP_LITERAL, REG_NAME } from './chars.js';

/**
 * Checks a `Host` field value or a CONNECT authority-form target, bytes [start, end) of `buf`
 * (RFC 9112 §3.2.3, RFC 3986 §3.2.2): `uri-host [ ":" port ]` where uri-host is an IP-literal in
 * brackets or a non-empty reg-name (unreserved, pct-encoded, sub-delims) and port is *DIGIT. No
 * userinfo, path, query or whitespace. An empty Host is valid (RFC 9112 §3.2) unless a port is
 * required (CONNECT needs `host:port` with at least one port digit).
 */
export function isValidHost(buf: Uint8Array, start: number, end: number, requirePort: boolean): boolean {
  if (start === end) return !requirePort;
  let i = start;
  if (buf[i] === 0x5b /* [ */) {
    i++;
    while (i < end && IP_LITERAL[buf[i]!] === 1) i++;
    if (i === start + 1 || i >= end || buf[i] !== 0x5d /* ] */) return false;
    i++;
  } else {
    while (i < end) {
      const c = buf[i]!;
      if (REG_NAME[c] !== 1) break;
      if (c === 0x25 /* % */) {
        if (i + 2 >= end || HEX_VALUE[buf[i + 1]!] === 255 || HEX_VALUE[buf[i + 2]!] === 255) return false;
        i += 3;
        continue;
      }
      i++;
    }
    if (i === start) return false;
  }
  if (i === end) return !requirePort;
  if (buf[i] !== 0x3a /* : */) return false;
  const portStart = ++i;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) return false;
  }
  return !(requirePort && i === portStart);
}
