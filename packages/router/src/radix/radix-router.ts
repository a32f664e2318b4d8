/**
 * The default router: a radix tree over the raw path string, matched with character comparisons and
 * no splitting. Priority at every segment is static > param > catch-all, independent of registration
 * order; a branch that dead-ends (or lacks the method) backtracks to the next candidate.
 */
import type { Endpoint } from '../endpoint.js';
import { foundWithParams } from '../found-with-params.js';
import { methodNotAllowed, NOT_FOUND } from '../results.js';
import { RouteRegistry } from '../route-registry.js';
import type { FoundResult, MatchResult, RouteMethod, Router, RouteValue } from '../router.js';
import { compileMatcher, type CompiledMatch } from './compile.js';
import { RadixNode } from './radix-node.js';

/** Options of `RadixRouter`. */
export interface RadixRouterOptions {
  /**
   * Compile the tree into a matcher function on the first match after a change (default true). When
   * false, or when the runtime forbids code generation, the tree is walked instead (same answers).
   */
  readonly compile?: boolean;
}

// Match state for the one synchronous match in progress (match calls no user code, so no re-entry).
/** How many endpoints matched the path but not the method (then the answer is 405), and the last one. */
let seenCount = 0;
let seenEndpoint: Endpoint<unknown> | null = null;
/** Param names of the endpoint that produced the last hit. */
let hitNames: readonly string[] = [];

/**
 * Depth-first search below `node`, whose prefix ends at `pos`. `depth` is the number of params taken so
 * far; param i spans scratch[2i]..scratch[2i+1], with the start stored as ~start when it holds a '%'.
 */
function find<T>(
  node: RadixNode<T>,
  path: string,
  pos: number,
  len: number,
  mi: number,
  depth: number,
  scratch: Int32Array,
): FoundResult<T> | undefined {
  if (pos === len) {
    const ep = node.endpoint;
    if (ep !== null) {
      const r = ep.table[mi];
      if (r !== undefined) {
        hitNames = ep.paramNames;
        return r;
      }
      seenCount++;
      seenEndpoint = ep;
    }
  } else {
    const c = path.charCodeAt(pos);
    const chars = node.childChars;
    for (let i = 0; i < chars.length; i++) {
      if (chars[i] !== c) continue;
      const child = node.children[i]!;
      const pre = child.prefix;
      const end = pos + pre.length;
      if (end <= len) {
        let j = 1;
        while (j < pre.length && path.charCodeAt(pos + j) === pre.charCodeAt(j)) j++;
        if (j === pre.length) {
          const r = find(child, path, end, len, mi, depth, scratch);
          if (r !== undefined) return r;
        }
      }
      break;
    }
    const p = node.param;
    if (p !== null && c !== 47 /* '/' */) {
      let end = pos;
      let pct = 0;
      for (; end < len; end++) {
        const d = path.charCodeAt(end);
        if (d === 47) break;
        if (d === 37) pct = 1;
      }
      scratch[depth * 2] = pct === 0 ? pos : ~pos;
      scratch[depth * 2 + 1] = end;
      const r = find(p, path, end, len, mi, depth + 1, scratch);
      if (r !== undefined) return r;
    }
  }
  const w = node.wildcard;
  if (w !== null) {
    const r = w.table[mi];
    if (r !== undefined) {
      scratch[depth * 2] = path.indexOf('%', pos) === -1 ? pos : ~pos;
      scratch[depth * 2 + 1] = len;
      hitNames = w.paramNames;
      return r;
    }
    seenCount++;
    seenEndpoint = w;
  }
  return undefined;
}

/** Every endpoint that matches the path under any method (the slow path behind a 405). */
function collect<T>(node: RadixNode<T>, path: string, pos: number, out: Endpoint<T>[]): void {
  const len = path.length;
  if (pos === len) {
    if (node.endpoint !== null) out.push(node.endpoint);
  } else {
    const c = path.charCodeAt(pos);
    const i = node.childChars.indexOf(c);
    if (i !== -1) {
      const child = node.children[i]!;
      if (path.startsWith(child.prefix, pos)) collect(child, path, pos + child.prefix.length, out);
    }
    if (node.param !== null && c !== 47) {
      const end = path.indexOf('/', pos);
      collect(node.param, path, end === -1 ? len : end, out);
    }
  }
  if (node.wildcard !== null) out.push(node.wildcard);
}

/** Radix-tree implementation of `Router<T>`. */
export class RadixRouter<T> implements Router<T> {
  private readonly compile: boolean;
  /** The compiled matcher; undefined until the next match compiles it; null when walking the tree. */
  private compiled: CompiledMatch<T> | null | undefined = undefined;
  private readonly registry = new RouteRegistry<T>();
  private readonly root = new RadixNode<T>('');
  private scratch = new Int32Array(16);
  /** Routes without params, by path: the first thing a match tries. */
  private readonly statics = new Map<string, Endpoint<T>>();

  constructor(options: RadixRouterOptions = {}) {
    this.compile = options.compile ?? true;
  }

  add<P extends string>(method: RouteMethod | readonly RouteMethod[], pattern: P, value: RouteValue<T, P>): void;
  add(method: RouteMethod | readonly RouteMethod[], pattern: string, value: T): void;
  add(method: RouteMethod | readonly RouteMethod[], pattern: string, value: unknown): void {
    const { endpoint, created } = this.registry.add(method, pattern, value as T);
    if (this.compiled !== null) this.compiled = undefined;
    if (!created) return;
    if (endpoint.paramNames.length === 0) this.statics.set(pattern, endpoint);
    let node = this.root;
    let text = '';
    for (const segment of endpoint.parsed.segments) {
      text += '/';
      if (segment.kind === 'static') {
        text += segment.text;
        continue;
      }
      node = node.descend(text);
      text = '';
      if (segment.kind === 'param') node = node.param ??= new RadixNode<T>('');
      else node.wildcard = endpoint;
    }
    if (endpoint.parsed.segments.at(-1)?.kind !== 'wildcard') node.descend(text).endpoint = endpoint;
    if (this.scratch.length < this.registry.maxParams * 2) this.scratch = new Int32Array(this.registry.maxParams * 2);
  }

  match(method: string, path: string): MatchResult<T> {
    if (typeof path !== 'string') return NOT_FOUND;
    const mi = this.registry.methods.indexOf(method);
    const hit = this.statics.get(path);
    if (hit !== undefined) {
      const r = hit.table[mi];
      if (r !== undefined) return r;
    }
    let compiled = this.compiled;
    if (compiled === undefined) compiled = this.compiled = this.tryCompile();
    if (compiled !== null) {
      const r = compiled(path, mi);
      if (r === undefined) return NOT_FOUND;
      return r === null ? this.notAllowed(path) : r;
    }
    seenCount = 0;
    const scratch = this.scratch;
    const r = find(this.root, path, 0, path.length, mi, 0, scratch);
    if (r === undefined) {
      if (seenCount === 0) return NOT_FOUND;
      const one = seenEndpoint;
      seenEndpoint = null;
      return seenCount === 1 && one !== null ? one.notAllowed : this.notAllowed(path);
    }
    const names = hitNames;
    const n = names.length;
    if (n === 0) return r;
    const params: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      const start = scratch[i * 2]!;
      if (start < 0) {
        const spans = Array.from(scratch.subarray(0, n * 2), (x) => (x < 0 ? ~x : x));
        return foundWithParams(r, names, path, spans);
      }
      params[names[i]!] = path.slice(start, scratch[i * 2 + 1]!);
    }
    return { kind: 'found', value: r.value, params, pattern: r.pattern };
  }

  private tryCompile(): CompiledMatch<T> | null {
    if (!this.compile) return null;
    try {
      return compileMatcher(this.root);
    } catch {
      return null; // e.g. node --disallow-code-generation-from-strings: walk the tree
    }
  }

  /** 405 when several endpoints match the path: the union of their methods (allocates; rare). */
  private notAllowed(path: string): MatchResult<T> {
    const hits: Endpoint<T>[] = [];
    collect(this.root, path, 0, hits);
    return methodNotAllowed(hits.flatMap((e) => e.allowedMethods()));
  }
}
