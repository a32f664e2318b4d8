/** A header the parser only reports. */
export const K_OTHER = 0;
/** `Host` */
export const K_HOST = 1;
/** `Content-Length` */
export const K_CONTENT_LENGTH = 2;
/** `Transfer-Encoding` */
export const K_TRANSFER_ENCODING = 3;
/** `Connection` */
export const K_CONNECTION = 4;
/** `Expect` */
export const K_EXPECT = 5;
/** `Upgrade` */
export const K_UPGRADE = 6;

/**
 * ASCII case-insensitive comparison of bytes at `start` with a lower-case literal. Safe for token
 * and field-value bytes: `| 0x20` only maps A-Z onto a-z there (the other bytes it could map onto a
 * literal's letters, digits or '-' are CTLs, which never reach here).
 */
export function eqLower(buf: Uint8Array, start: number, lit: string): boolean {
  for (let i = 0; i < lit.length; i++) {
    if ((buf[start + i]! | 0x20) !== lit.charCodeAt(i)) return false;
  }
  return true;
}

/** Classifies a header name (bytes [start, end), already validated as a token), case-insensitively. */
export function headerKind(buf: Uint8Array, start: number, end: number): number {
  switch (end - start) {
    case 4: return eqLower(buf, start, 'host') ? K_HOST : K_OTHER;
    case 6: return eqLower(buf, start, 'expect') ? K_EXPECT : K_OTHER;
    case 7: return eqLower(buf, start, 'upgrade') ? K_UPGRADE : K_OTHER;
    case 10: return eqLower(buf, start, 'connection') ? K_CONNECTION : K_OTHER;
    case 14: return eqLower(buf, start, 'content-length') ? K_CONTENT_LENGTH : K_OTHER;
    case 17: return eqLower(buf, start, 'transfer-encoding') ? K_TRANSFER_ENCODING : K_OTHER;
    default: return K_OTHER;
  }
}
