import { HEX_VALUE, IP_LITERAL, REG_NAME } from './chars.js';

/**
 * Checks a `Host` field value or a CONNECT authority-form target (RFC 9112 §3.2.3, RFC 3986 §3.2.2):
 * `uri-host [ ":" port ]` where uri-host is an IP-literal in brackets or a reg-name (unreserved,
 * pct-encoded, sub-delims). No userinfo, path, query or whitespace. An empty Host is valid
 * (RFC 9112 §3.2) unless a port is required (CONNECT needs `host:port`).
 */
export function isValidHost(s: string, requirePort: boolean): boolean {
  const n = s.length;
  if (n === 0) return !requirePort;
  let i = 0;
  if (s.charCodeAt(0) === 0x5b /* [ */) {
    i = 1;
    while (i < n && IP_LITERAL[s.charCodeAt(i)] === 1) i++;
    if (i === 1 || i >= n || s.charCodeAt(i) !== 0x5d /* ] */) return false;
    i++;
  } else {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c > 0xff || REG_NAME[c] !== 1) break;
      if (c === 0x25 /* % */) {
        if (i + 2 >= n) return false;
        if (HEX_VALUE[s.charCodeAt(i + 1) & 0xff] === 255 || HEX_VALUE[s.charCodeAt(i + 2) & 0xff] === 255) return false;
        i += 3;
        continue;
      }
      i++;
    }
    if (i === 0) return false;
  }
  if (i === n) return !requirePort;
  if (s.charCodeAt(i) !== 0x3a /* : */) return false;
  const portStart = ++i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
    i++;
  }
  return !(requirePort && i === portStart);
}
