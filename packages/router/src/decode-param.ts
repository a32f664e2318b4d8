/**
 * Percent-decode one param value as UTF-8, strictly: an invalid %-sequence (`%zz`, a lone `%`) or
 * bytes that are not well-formed UTF-8 (overlong forms, surrogates, truncated sequences) give
 * `undefined`. A value without '%' is returned as is (no copy). '+' is not a space in a path.
 */
export function decodeParam(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
