/**
 * Route pattern grammar (one segment between slashes):
 *   static    chars from RFC 3986 pchar minus ':' and '*': A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) + , ; = @
 *             and %XX percent-encodings (matched literally against the raw path)
 *   param     ':name' or '{name}', the whole segment; name chars A-Z a-z 0-9 _ $ -
 *   catch-all '*' or '*name', only as the last segment
 * A pattern starts with '/'; only the last segment may be empty (a trailing slash, which is significant);
 * at most MAX_SEGMENTS segments.
 */
import { RouteError } from './route-error.js';

/** One segment of a parsed pattern. */
export type PatternSegment =
  | { readonly kind: 'static'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'wildcard'; readonly name: string };

/** A validated pattern. */
export interface ParsedPattern {
  /** The pattern as registered. */
  readonly pattern: string;
  readonly segments: readonly PatternSegment[];
  /** Param names in path order (the catch-all's name last). */
  readonly paramNames: readonly string[];
  /** Names dropped: `/users/:` and `/users/*` — equal for equivalent patterns. */
  readonly canonical: string;
}

/** More segments than this are refused (keeps every walk of the tree shallow). */
export const MAX_SEGMENTS = 256;

const STATIC_CHARS = "-._~!$&'()+,;=@";
const NAME_CHARS = '_$-';

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `${JSON.stringify(ch)} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

function invalid(pattern: string, why: string): RouteError {
  return new RouteError('invalid-pattern', `Invalid route pattern ${JSON.stringify(pattern)}: ${why}`);
}

function checkName(pattern: string, name: string, at: number): void {
  if (name === '') throw invalid(pattern, `empty param name at index ${at}`);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isAlnum(c) && !NAME_CHARS.includes(name[i]!)) {
      throw invalid(
        pattern,
        `character ${describeChar(name[i]!)} at index ${at + i} is not allowed in a param name ` +
          '(letters, digits, "_", "$", "-"; a param takes the whole segment)',
      );
    }
  }
  if (name === '__proto__') throw invalid(pattern, 'the param name "__proto__" is reserved');
}

function checkStatic(pattern: string, text: string, at: number): void {
  if (text === '.' || text === '..') {
    throw invalid(pattern, `dot segment ${JSON.stringify(text)} at index ${at} (paths are not normalised)`);
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isAlnum(c) || STATIC_CHARS.includes(text[i]!)) continue;
    if (c === 37 /* % */) {
      if (isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
        i += 2;
        continue;
      }
      throw invalid(pattern, `"%" at index ${at + i} does not start a %XX percent-encoding`);
    }
    const ch = String.fromCodePoint(text.codePointAt(i) ?? c);
    let hint = '';
    if (ch === ':' || ch === '{' || ch === '}') hint = ' (a param must take the whole segment: "/:name" or "/{name}")';
    else if (ch === '*') hint = ' (a catch-all must take the whole last segment: "/*" or "/*name")';
    else if (ch === '?' || ch === '#') hint = ' (patterns match the path only, without query or fragment)';
    throw invalid(pattern, `character ${describeChar(ch)} at index ${at + i} is not allowed in a path segment${hint}`);
  }
}

/** Parse and validate a pattern; throws `RouteError` ('invalid-pattern') naming the problem. */
export function parsePattern(pattern: string): ParsedPattern {
  if (typeof pattern !== 'string') throw invalid(String(pattern), 'a pattern must be a string');
  if (pattern.charCodeAt(0) !== 47) throw invalid(pattern, 'a pattern must start with "/"');
  const segments: PatternSegment[] = [];
  const paramNames: string[] = [];
  let canonical = '';
  let start = 1;
  for (;;) {
    let end = pattern.indexOf('/', start);
    const last = end === -1;
    if (last) end = pattern.length;
    const text = pattern.slice(start, end);
    if (segments.length > 0 && segments[segments.length - 1]!.kind === 'wildcard') {
      throw invalid(pattern, 'a catch-all "*" must be the last segment');
    }
    let segment: PatternSegment;
    if (text === '' && !last) {
      throw invalid(pattern, `empty segment at index ${start} (only a final trailing slash may be empty)`);
    } else if (text.startsWith(':')) {
      checkName(pattern, text.slice(1), start + 1);
      segment = { kind: 'param', name: text.slice(1) };
    } else if (text.startsWith('{')) {
      if (!text.endsWith('}') || text.length < 2) throw invalid(pattern, `missing "}" after "{" at index ${start}`);
      checkName(pattern, text.slice(1, -1), start + 1);
      segment = { kind: 'param', name: text.slice(1, -1) };
    } else if (text.startsWith('*')) {
      const name = text === '*' ? '*' : text.slice(1);
      if (text !== '*') checkName(pattern, name, start + 1);
      segment = { kind: 'wildcard', name };
    } else {
      checkStatic(pattern, text, start);
      segment = { kind: 'static', text };
    }
    if (segment.kind !== 'static') {
      if (paramNames.includes(segment.name)) {
        throw invalid(pattern, `param name ${JSON.stringify(segment.name)} is used twice`);
      }
      paramNames.push(segment.name);
    }
    segments.push(segment);
    if (segments.length > MAX_SEGMENTS) throw invalid(pattern, `more than ${MAX_SEGMENTS} segments`);
    canonical += segment.kind === 'static' ? `/${segment.text}` : segment.kind === 'param' ? '/:' : '/*';
    if (last) break;
    start = end + 1;
  }
  return { pattern, segments, paramNames, canonical };
}
