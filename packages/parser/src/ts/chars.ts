/**
 * Byte classification tables (RFC 9110 §5.6.2, RFC 9112 §3.2, RFC 3986). Each table holds 1 for a
 * byte that belongs to the class, 0 otherwise; lookups are `TABLE[byte] === 1`.
 */

/** Horizontal tab. */
export const HT = 0x09;
/** Line feed. */
export const LF = 0x0a;
/** Carriage return. */
export const CR = 0x0d;
/** Space. */
export const SP = 0x20;
/** `:` */
export const COLON = 0x3a;
/** `;` */
export const SEMICOLON = 0x3b;
/** `=` */
export const EQUALS = 0x3d;
/** `"` */
export const DQUOTE = 0x22;
/** `\` */
export const BACKSLASH = 0x5c;

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}

const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const inSet = (set: string) => (c: number): boolean => set.includes(String.fromCharCode(c));

/** tchar: the bytes of a token (method, header name, coding, connection option). */
export const TCHAR = table((c) => isAlpha(c) || isDigit(c) || inSet("!#$%&'*+-.^_`|~")(c));

/** A field value byte: HTAB, SP, VCHAR or obs-text (no CTLs, no DEL). */
export const FIELD_VALUE = table((c) => c === HT || (c >= 0x20 && c !== 0x7f));

/** A request-target byte: visible ASCII except `#` (a fragment is never part of a request target). */
export const TARGET = table((c) => c > 0x20 && c < 0x7f && c !== 0x23);

/** qdtext of a quoted-string (RFC 9110 §5.6.4). */
export const QDTEXT = table((c) => c === HT || c === SP || c === 0x21 || (c >= 0x23 && c <= 0x7e && c !== BACKSLASH) || c >= 0x80);

/** What may follow a backslash in a quoted-pair: HTAB, SP, VCHAR, obs-text. */
export const QUOTED_PAIR = table((c) => c === HT || (c >= 0x20 && c !== 0x7f));

/** Value of a hex digit, or 255. */
export const HEX_VALUE = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let c = 0; c < 256; c++) {
    if (isDigit(c)) t[c] = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) t[c] = c - 0x41 + 10;
    else if (c >= 0x61 && c <= 0x66) t[c] = c - 0x61 + 10;
  }
  return t;
})();

/** Bytes of a reg-name in a Host or authority: unreserved, pct-encoded (`%`) and sub-delims. */
export const REG_NAME = table((c) => isAlpha(c) || isDigit(c) || inSet("-._~%!$&'()*+,;=")(c));

/** Bytes inside an IP-literal's brackets (IPv6 or IPvFuture). */
export const IP_LITERAL = table((c) => isAlpha(c) || isDigit(c) || inSet("-._~!$&'()*+,;=:")(c));

/** Bytes of a URI scheme after its first letter. */
export const SCHEME = table((c) => isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e);

/** ALPHA and DIGIT (RFC 5234) as predicates. */
export { isAlpha, isDigit };
