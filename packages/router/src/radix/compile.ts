/**
 * Compiles a radix tree into one matcher function (plus helpers for large subtrees) with `new Function`:
 * the tree's walk unrolled into nested `charCodeAt` comparisons, and for every route with params an
 * object literal with its param names, so the hot path has no loops over children, no keyed stores and
 * no scratch memory. Same answers as the tree walk in radix-router.ts (the case suite runs both).
 *
 * Safety of the generated source: it contains only numbers, fixed identifiers and param names, which
 * the pattern grammar limits to A-Z a-z 0-9 _ $ - (and '*'), emitted through JSON.stringify. Values,
 * patterns and long prefixes stay in arrays the code indexes.
 */
import type { Endpoint } from '../endpoint.js';
import { foundWithParams } from '../found-with-params.js';
import type { MatchResult } from '../router.js';
import type { RadixNode } from './radix-node.js';

/**
 * A compiled matcher: a found or bad-param result, or the 405 result when exactly one route matched the
 * path but not the method; `null` when several did (the caller computes the union of their methods);
 * `undefined` when nothing matched the path (404). (Each tree node is visited at most once per match,
 * so a failed match has seen every endpoint that matches the path.)
 */
export type CompiledMatch<T> = (path: string, mi: number) => MatchResult<T> | null | undefined;

/** Variable names holding one param's span: start, end, and whether it contains '%'. */
interface Span {
  readonly a: string;
  readonly b: string;
  readonly q: string;
}

/** Generated subtrees larger than this (in source characters) become functions of their own. */
const SPLIT_AT = 3000;
/** Prefixes up to this length are compared character by character, longer ones with startsWith. */
const INLINE_PREFIX = 12;

/** Compile `root`; throws if code generation is not allowed (the caller then walks the tree). */
export function compileMatcher<T>(root: RadixNode<T>): CompiledMatch<T> {
  const endpoints: Endpoint<T>[] = [];
  const prefixes: string[] = [];
  const functions: string[] = [];
  let uid = 0;

  const indexOf = (ep: Endpoint<T>): number => {
    let i = endpoints.indexOf(ep);
    if (i === -1) i = endpoints.push(ep) - 1;
    return i;
  };

  /** Code that returns the endpoint's result for `mi`, or notes an endpoint that lacks the method. */
  const terminal = (ep: Endpoint<T>, spans: readonly Span[], rest?: string): string => {
    const k = indexOf(ep);
    const head = `{ const r = E[${k}].table[mi]; if (r !== undefined) `;
    const miss = `seenN++; seenE = E[${k}]; }`;
    if (ep.paramNames.length === 0) return `${head}return r; ${miss}`;
    const all = rest === undefined ? spans : [...spans, { a: rest, b: 'len', q: `(path.indexOf('%', ${rest}) === -1 ? 0 : 1)` }];
    const fields = ep.paramNames.map((name, i) => `${JSON.stringify(name)}: path.slice(${all[i]!.a}, ${all[i]!.b})`);
    const bounds = all.flatMap((s) => [s.a, s.b]).join(', ');
    return (
      `${head}{ if ((${all.map((s) => s.q).join(' | ')}) !== 0) return D(r, E[${k}].paramNames, path, [${bounds}]); ` +
      `return { kind: 'found', value: r.value, params: { ${fields.join(', ')} }, pattern: r.pattern }; } ${miss}`
    );
  };

  /** Code for the node whose prefix ends at `pos` (a variable name or literal). */
  const gen = (node: RadixNode<T>, pos: string, spans: readonly Span[]): string => {
    let s = '';
    const hasStatic = node.children.length > 0;
    if (node.endpoint !== null || hasStatic || node.param !== null) {
      s += `if (${pos} === len) {${node.endpoint !== null ? terminal(node.endpoint, spans) : ''}}`;
      if (hasStatic || node.param !== null) {
        const c = `c${uid++}`;
        s += ` else { const ${c} = path.charCodeAt(${pos});`;
        node.children.forEach((child, i) => {
          const pre = child.prefix;
          let cond = `${c} === ${pre.charCodeAt(0)}`;
          if (pre.length <= INLINE_PREFIX) {
            for (let j = 1; j < pre.length; j++) cond += ` && path.charCodeAt(${pos} + ${j}) === ${pre.charCodeAt(j)}`;
          } else {
            cond += ` && path.startsWith(P[${prefixes.push(pre) - 1}], ${pos})`;
          }
          const p = `p${uid++}`;
          s += ` ${i > 0 ? 'else ' : ''}if (${cond}) { const ${p} = ${pos} + ${pre.length}; ${sub(child, p, spans)} }`;
        });
        if (node.param !== null) {
          const e = `e${uid}`;
          const q = `q${uid++}`;
          s +=
            ` if (${c} !== 47) { let ${e} = ${pos}, ${q} = 0; for (; ${e} < len; ${e}++) { const d = path.charCodeAt(${e}); ` +
            `if (d === 47) break; if (d === 37) ${q} = 1; } ${sub(node.param, e, [...spans, { a: pos, b: e, q }])} }`;
        }
        s += ' }';
      }
    }
    if (node.wildcard !== null) s += ` ${terminal(node.wildcard, spans, pos)}`;
    return s;
  };

  /** `gen`, moved into a function of its own when large (keeps every function optimisable). */
  const sub = (node: RadixNode<T>, pos: string, spans: readonly Span[]): string => {
    const code = gen(node, pos, spans);
    if (code.length < SPLIT_AT) return code;
    const vars = [...new Set([pos, ...spans.flatMap((s) => [s.a, s.b, s.q])])].filter((v) => /^[a-z]\d+$/.test(v));
    const f = `f${uid++}`;
    functions.push(`function ${f}(path, len, mi, ${vars.join(', ')}) { ${code} return undefined; }`);
    return `{ const r = ${f}(path, len, mi, ${vars.join(', ')}); if (r !== undefined) return r; }`;
  };

  const body = gen(root, '0', []);
  const source =
    `"use strict"; let seenN = 0, seenE = null; ${functions.join('\n')}\n` +
    `return function match(path, mi) { seenN = 0; const len = path.length; ${body} ` +
    `if (seenN === 0) return undefined; if (seenN === 1) { const e = seenE; seenE = null; return e.notAllowed; } seenE = null; return null; };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the safety note above
  const factory = new Function('E', 'P', 'D', source) as (
    e: Endpoint<T>[],
    p: string[],
    d: typeof foundWithParams,
  ) => CompiledMatch<T>;
  return factory(endpoints, prefixes, foundWithParams);
}
