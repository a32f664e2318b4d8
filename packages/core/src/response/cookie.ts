/** Attributes of a `Set-Cookie` header (RFC 6265bis). */
export interface CookieOptions {
  /** Seconds until expiry; 0 or negative expires the cookie now. */
  maxAge?: number;
  expires?: Date;
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  /** `'None'` requires `secure: true` (else serializeCookie throws: browsers drop such cookies). */
  sameSite?: 'Strict' | 'Lax' | 'None' | 'strict' | 'lax' | 'none';
  /** CHIPS partitioned cookie; requires `secure: true` (else serializeCookie throws). */
  partitioned?: boolean;
  /** Set false to send `value` as is (it must then be a valid cookie-value); default true (percent-encode). */
  encode?: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^("?)[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*\1$/;
const ATTR_VALUE = /^[\x20-\x3A\x3C-\x7E]*$/;

/**
 * Serialise one `Set-Cookie` header value. Throws a TypeError on a name, value or attribute that
 * would break the header (so a bad cookie never reaches the wire), and on a cookie browsers would
 * reject: `sameSite: 'None'` or `partitioned` without `secure`.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!TOKEN.test(name)) throw new TypeError(`Invalid cookie name: ${JSON.stringify(name)}`);
  const encoded = options.encode === false ? value : encodeURIComponent(value);
  if (!COOKIE_VALUE.test(encoded)) throw new TypeError(`Invalid cookie value for ${name}`);
  let out = `${name}=${encoded}`;
  if (options.maxAge !== undefined) {
    if (!Number.isFinite(options.maxAge)) throw new TypeError('Cookie maxAge must be a finite number');
    out += `; Max-Age=${Math.floor(options.maxAge)}`;
  }
  if (options.expires !== undefined) {
    if (Number.isNaN(options.expires.getTime())) throw new TypeError('Cookie expires is an invalid Date');
    out += `; Expires=${options.expires.toUTCString()}`;
  }
  if (options.domain !== undefined) out += `; Domain=${attr('domain', options.domain)}`;
  if (options.path !== undefined) out += `; Path=${attr('path', options.path)}`;
  if (options.secure) out += '; Secure';
  if (options.httpOnly) out += '; HttpOnly';
  if (options.sameSite !== undefined) {
    const s = typeof options.sameSite === 'string' ? options.sameSite.toLowerCase() : '';
    if (s !== 'strict' && s !== 'lax' && s !== 'none') throw new TypeError(`Invalid SameSite: ${String(options.sameSite)}`);
    // browsers reject SameSite=None without Secure
    if (s === 'none' && options.secure !== true) {
      throw new TypeError(`Cookie ${name}: sameSite 'None' requires secure: true (browsers reject it otherwise)`);
    }
    out += `; SameSite=${s === 'strict' ? 'Strict' : s === 'lax' ? 'Lax' : 'None'}`;
  }
  if (options.partitioned) {
    if (options.secure !== true) {
      throw new TypeError(`Cookie ${name}: partitioned requires secure: true (browsers reject it otherwise)`);
    }
    out += '; Partitioned';
  }
  return out;
}

function attr(what: string, v: string): string {
  if (!ATTR_VALUE.test(v)) throw new TypeError(`Invalid cookie ${what}: ${JSON.stringify(v)}`);
  return v;
}
