/**
 * A `Content-Disposition` value (RFC 6266): `attachment` (or `inline`) with the file name as a quoted
 * ASCII `filename` (non-ASCII replaced by `?`, quotes and backslashes escaped) and, when the name is
 * not plain ASCII, `filename*=UTF-8''…` (RFC 8187 percent-encoding). Path parts of `name` are dropped;
 * control characters are removed.
 */
export function contentDisposition(name: string, type: 'attachment' | 'inline' = 'attachment'): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[/\\]/).pop() ?? '')
    .replace(/[\x00-\x1f\x7f]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'); // lone surrogates
  if (base === '') return type;
  // eslint-disable-next-line no-control-regex
  const ascii = base.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&');
  let value = `${type}; filename="${ascii}"`;
  // eslint-disable-next-line no-control-regex
  if (/[^\x20-\x7e]|%/.test(base)) value += `; filename*=UTF-8''${encodeRfc8187(base)}`;
  return value;
}

/** RFC 8187 value-chars: attr-char stays, everything else is %XX of its UTF-8 bytes. */
function encodeRfc8187(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
