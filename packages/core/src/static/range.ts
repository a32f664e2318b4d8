/** One byte range, inclusive: `start`..`end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What a `Range` header asks of a representation of `size` bytes (RFC 9110 §14.2):
 * - `null`: no usable Range (absent, another unit, malformed, or more than `maxRanges` ranges after
 *   merging): send the whole representation (200);
 * - `'unsatisfiable'`: well-formed but no range overlaps the representation (416);
 * - the satisfiable ranges, sorted, overlapping and adjacent ones merged (one: 206 with
 *   `Content-Range`; several: 206 `multipart/byteranges`).
 */
export function parseRange(header: string | undefined, size: number, maxRanges: number): ByteRange[] | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return null;
  const specs = header.slice(eq + 1).split(',');
  if (specs.length > 256) return null;
  const ranges: ByteRange[] = [];
  let any = false;
  for (const raw of specs) {
    const spec = raw.trim();
    if (spec === '') continue; // a list may have empty elements (RFC 9110 §5.6.1)
    const m = /^(\d{0,15})-(\d{0,15})$/.exec(spec);
    if (m === null || (m[1] === '' && m[2] === '')) return null;
    any = true;
    let start: number;
    let end: number;
    if (m[1] === '') {
      const suffix = Number(m[2]);
      if (suffix === 0 || size === 0) continue;
      start = Math.max(0, size - suffix);
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Number(m[2]);
      if (m[2] !== '' && end < start) return null; // invalid range-spec: the whole field is ignored
      if (start >= size) continue;
      end = Math.min(end, size - 1);
    }
    ranges.push({ start, end });
  }
  if (!any) return null;
  if (ranges.length === 0) return 'unsatisfiable';
  ranges.sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [ranges[0]!];
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i]!;
    const last = merged[merged.length - 1]!;
    if (r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else merged.push(r);
  }
  return merged.length > maxRanges ? null : merged;
}
