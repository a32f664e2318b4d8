import { describe, expect, it } from 'vitest';
import { decodeParam, parsePattern } from '../src/index.js';

describe('parsePattern', () => {
  it('splits a pattern into static, param and catch-all segments', () => {
    const p = parsePattern('/users/:id/files/{dir}/*rest');
    expect(p.segments).toEqual([
      { kind: 'static', text: 'users' },
      { kind: 'param', name: 'id' },
      { kind: 'static', text: 'files' },
      { kind: 'param', name: 'dir' },
      { kind: 'wildcard', name: 'rest' },
    ]);
    expect(p.paramNames).toEqual(['id', 'dir', 'rest']);
    expect(p.canonical).toBe('/users/:/files/:/*');
  });

  it('gives equivalent spellings the same canonical form, and keeps trailing slashes apart', () => {
    expect(parsePattern('/a/:x/*').canonical).toBe(parsePattern('/a/{y}/*z').canonical);
    expect(parsePattern('/a/').canonical).not.toBe(parsePattern('/a').canonical);
    expect(parsePattern('/').segments).toEqual([{ kind: 'static', text: '' }]);
    expect(parsePattern('/*').paramNames).toEqual(['*']);
  });

  it('accepts every RFC 3986 pchar a static segment may hold, and %XX', () => {
    const text = "AZaz09-._~!$&'()+,;=@%2F%c3";
    expect(parsePattern(`/${text}`).segments).toEqual([{ kind: 'static', text }]);
  });
});

describe('decodeParam', () => {
  it('returns the input itself when there is nothing to decode', () => {
    const raw = 'plain-value';
    expect(decodeParam(raw)).toBe(raw);
  });

  it('decodes well-formed UTF-8 and rejects everything else', () => {
    expect(decodeParam('%E2%82%AC')).toBe('€');
    expect(decodeParam('%f0%9f%98%80')).toBe('😀');
    expect(decodeParam('%00')).toBe('\u0000');
    for (const bad of ['%', '%4', '%G1', '%80', '%C0%80', '%E0%80%80', '%ED%B0%80', '%F8%88%80%80%80', '%E2%82'])
      expect(decodeParam(bad), bad).toBeUndefined();
  });
});
