import type { Stats } from 'node:fs';

/** Which ETag a file gets: weak (from size and mtime, the default), strong, or none. */
export type EtagKind = 'weak' | 'strong' | false;

/**
 * The ETag of a file from its stat: `W/"<size>-<mtime µs>"` (hex), or strong
 * `"<size>-<mtime µs>-<inode>"` (the same bytes as long as size, mtime and inode are unchanged —
 * strong enough for `If-Range` and `If-Match`), or null.
 * @param suffix added inside the quotes (the content coding of a precompressed sibling)
 */
export function etagOf(st: Stats, kind: EtagKind, suffix = ''): string | null {
  if (kind === false) return null;
  const tag = `${st.size.toString(16)}-${Math.floor(st.mtimeMs * 1000).toString(16)}`;
  return kind === 'weak' ? `W/"${tag}${suffix}"` : `"${tag}-${st.ino.toString(16)}${suffix}"`;
}

/** A file's modification time in whole seconds since the epoch (the `Last-Modified` precision). */
export function mtimeSeconds(st: Stats): number {
  return Math.floor(st.mtimeMs / 1000);
}

const IMF = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850 = /^[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** An HTTP-date (IMF-fixdate; the obsolete RFC 850 and asctime forms too) as seconds, or NaN. */
export function parseHttpDate(value: string | undefined): number {
  if (value === undefined) return NaN;
  const v = value.trim();
  let ms = NaN;
  if (IMF.test(v) || RFC850.test(v)) ms = Date.parse(v);
  else if (ASCTIME.test(v)) ms = Date.parse(`${v} GMT`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : NaN;
}
