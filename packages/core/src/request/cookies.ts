/**
 * Parse a `Cookie` request header (`a=1; b=2`) into a null-prototype record. The first occurrence of
 * a name wins (RFC 6265 §5.4 puts the most specific cookie first); values are percent-decoded when
 * they decode cleanly and kept as sent otherwise; surrounding double quotes are removed.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (header === undefined || header === '') return out;
  let start = 0;
  const n = header.length;
  while (start < n) {
    let end = header.indexOf(';', start);
    if (end < 0) end = n;
    const eq = header.indexOf('=', start);
    if (eq > start && eq < end) {
      const name = header.slice(start, eq).trim();
      if (name !== '' && !(name in out)) {
        let value = header.slice(eq + 1, end).trim();
        if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) {
          value = value.slice(1, -1);
        }
        out[name] = value.includes('%') ? tryDecode(value) : value;
      }
    }
    start = end + 1;
  }
  return out;
}

function tryDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
