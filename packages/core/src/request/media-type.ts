/** A parsed `Content-Type`/`Content-Disposition` style value: `type; a=1; b="two"`. */
export interface ParsedParams {
  /** The part before the first `;`, trimmed and lowercased. */
  value: string;
  /** Parameters with lowercased names; quoted strings unquoted (backslash escapes removed). */
  params: Record<string, string>;
}

/** Parse `value; name=token; name="quoted string"` (RFC 9110 §5.6.6). Malformed parameters are skipped. */
export function parseParams(header: string): ParsedParams {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = header.indexOf(';');
  const value = (i < 0 ? header : header.slice(0, i)).trim().toLowerCase();
  const n = header.length;
  while (i >= 0 && i < n) {
    i++; // past ';'
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
    const eq = header.indexOf('=', i);
    if (eq < 0) break;
    const name = header.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let v = '';
    if (header[i] === '"') {
      i++;
      while (i < n && header[i] !== '"') {
        if (header[i] === '\\' && i + 1 < n) i++;
        v += header[i];
        i++;
      }
      i = header.indexOf(';', i);
    } else {
      const semi = header.indexOf(';', i);
      v = (semi < 0 ? header.slice(i) : header.slice(i, semi)).trim();
      i = semi;
    }
    if (name !== '' && !(name in params)) params[name] = v;
  }
  return { value, params };
}
