/**
 * One node of the radix tree. A node is entered once its `prefix` has matched; its static children are
 * told apart by their first character, so at most one of them can match; a param child takes one whole
 * non-empty segment; a catch-all takes the rest of the path.
 */
import type { Endpoint } from '../endpoint.js';

export class RadixNode<T> {
  /** Literal characters consumed on entering (may span segments, e.g. '/repos/'). '' for a param node. */
  prefix: string;
  /** First character code of each static child, parallel to `children`. */
  childChars: number[] = [];
  children: RadixNode<T>[] = [];
  /** The child that takes one segment as a param (its static children all start with '/'). */
  param: RadixNode<T> | null = null;
  /** The catch-all registered at this position (the node always ends right after a '/'). */
  wildcard: Endpoint<T> | null = null;
  /** The route that ends exactly here. */
  endpoint: Endpoint<T> | null = null;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /**
   * The node where the literal `text` ends below this one, creating or splitting nodes as needed.
   */
  descend(text: string): RadixNode<T> {
    if (text === '') return this;
    const first = text.charCodeAt(0);
    const i = this.childChars.indexOf(first);
    if (i === -1) {
      const child = new RadixNode<T>(text);
      this.childChars.push(first);
      this.children.push(child);
      return child;
    }
    let child = this.children[i]!;
    const pre = child.prefix;
    let k = 1;
    while (k < pre.length && k < text.length && pre.charCodeAt(k) === text.charCodeAt(k)) k++;
    if (k < pre.length) {
      // split: `mid` keeps the common part, `child` keeps the rest and everything below it
      const mid = new RadixNode<T>(pre.slice(0, k));
      child.prefix = pre.slice(k);
      mid.childChars.push(child.prefix.charCodeAt(0));
      mid.children.push(child);
      this.children[i] = mid;
      child = mid;
    }
    return child.descend(text.slice(k));
  }
}
