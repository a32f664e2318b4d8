import type { TargetForm } from '../types.js';
import { SCHEME, isAlpha } from './chars.js';
import { isValidHost } from './host.js';

/**
 * Decides the form of a request-target (RFC 9112 §3.2), whose bytes were already checked
 * (visible ASCII, no `#`). Returns null when the form does not fit the method:
 * - CONNECT takes only authority-form `host:port`;
 * - `*` (asterisk-form) is only for OPTIONS;
 * - `/…` is origin-form;
 * - `scheme:…` is absolute-form;
 * - anything else is invalid.
 */
export function targetFormOf(method: string, target: string): TargetForm | null {
  if (method === 'CONNECT') return isValidHost(target, true) ? 'authority' : null;
  const c0 = target.charCodeAt(0);
  if (c0 === 0x2f /* / */) return 'origin';
  if (c0 === 0x2a /* * */) return target.length === 1 && method === 'OPTIONS' ? 'asterisk' : null;
  if (!isAlpha(c0)) return null;
  for (let i = 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 0x3a /* : */) return i + 1 < target.length ? 'absolute' : null;
    if (SCHEME[c] !== 1) return null;
  }
  return null;
}
