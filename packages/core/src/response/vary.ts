import type { ResponseHeaders } from './headers.js';

/** Add `token` to the response's `Vary` header unless it is there already (or `Vary: *`). */
export function addVary(headers: ResponseHeaders, token: string): void {
  const current = headers.get('vary');
  if (current === null || current === '') {
    headers.set('Vary', token);
    return;
  }
  const lower = token.toLowerCase();
  for (const part of current.split(',')) {
    const t = part.trim().toLowerCase();
    if (t === '*' || t === lower) return;
  }
  headers.set('Vary', `${current}, ${token}`);
}
