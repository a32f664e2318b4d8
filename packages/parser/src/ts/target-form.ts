import type { TargetForm } from '../types.js';
import { SCHEME, isAlpha } from './chars.js';
import { isValidHost } from './host.js';

const CONNECT = [0x43, 0x4f, 0x4e, 0x4e, 0x45, 0x43, 0x54];
const OPTIONS = [0x4f, 0x50, 0x54, 0x49, 0x4f, 0x4e, 0x53];

function is(buf: Uint8Array, start: number, end: number, word: number[]): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word[i]) return false;
  return true;
}

/**
 * Decides the form of a request-target [ts, te) for the method [ms, me) (RFC 9112 §3.2); the
 * target's bytes were already checked (visible ASCII, no `#`). Returns null when the form does
 * not fit the method:
 * - CONNECT takes only authority-form `host:port`;
 * - `*` (asterisk-form) is only for OPTIONS;
 * - `/…` is origin-form;
 * - `scheme:…` (RFC 3986 scheme, then at least one byte) is absolute-form;
 * - anything else is invalid.
 */
export function targetFormOf(buf: Uint8Array, ms: number, me: number, ts: number, te: number): TargetForm | null {
  const c0 = buf[ts]!;
  if (me - ms === 7 && is(buf, ms, me, CONNECT)) return isValidHost(buf, ts, te, true) ? 'authority' : null;
  if (c0 === 0x2f /* / */) return 'origin';
  if (c0 === 0x2a /* * */) return te - ts === 1 && is(buf, ms, me, OPTIONS) ? 'asterisk' : null;
  if (!isAlpha(c0)) return null;
  for (let i = ts + 1; i < te; i++) {
    const c = buf[i]!;
    if (c === 0x3a /* : */) return i + 1 < te ? 'absolute' : null;
    if (SCHEME[c] !== 1) return null;
  }
  return null;
}
