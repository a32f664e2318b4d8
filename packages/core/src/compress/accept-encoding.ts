/**
 * The coding to use among `supported` (in server preference order) for an `Accept-Encoding` value,
 * by RFC 9110 §12.5.3: the highest q-value wins, ties go to the server's order; `q=0` refuses a
 * coding; `*` stands for any coding not listed. Returns null for identity (none acceptable, or no
 * header).
 */
export function negotiateEncoding(header: string | undefined, supported: readonly string[]): string | null {
  if (header === undefined || header === '') return null;
  const q = new Map<string, number>();
  let star: number | undefined;
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = rawName!.trim().toLowerCase();
    if (name === '') continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m !== null) weight = Math.min(1, Number(m[1]));
      else if (/^\s*q\s*=/i.test(p)) weight = 0; // a malformed q-value: do not use the coding
    }
    if (name === '*') star = weight;
    else q.set(name === 'x-gzip' ? 'gzip' : name, weight);
  }
  let best: string | null = null;
  let bestQ = 0;
  for (const coding of supported) {
    const w = q.get(coding) ?? star ?? 0;
    if (w > bestQ) {
      best = coding;
      bestQ = w;
    }
  }
  return best;
}
