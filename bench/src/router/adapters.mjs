// @ts-check
/**
 * One adapter per router under test. Each builds a router from a route table and returns its own
 * `run(lookups, n)` loop (a separate function per router, so no call site is shared between them) that
 * performs n lookups round-robin and returns a checksum, plus `check(method, path)` for the sanity pass.
 * Every router is used through its native API: jato and find-my-way build the params object during the
 * match; hono's routers return the param values as an array plus an index map (the object is built
 * later, on demand, by hono's Context).
 */
import { createRouter } from '@jato/router';
import FindMyWay from 'find-my-way';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { TrieRouter } from 'hono/router/trie-router';

/**
 * @typedef {{ name: string, run: (lookups: string[][], n: number) => number, check: (m: string, p: string) => unknown }} Bench
 */

/** @param {[string, string][]} routes @returns {Bench} */
export function jato(routes) {
  /** @type {import('@jato/router').Router<number>} */
  const router = createRouter();
  routes.forEach(([m, p], i) => router.add(m, p, i));
  return {
    name: '@jato/router',
    run(lookups, n) {
      let sum = 0;
      const k = lookups.length;
      for (let i = 0; i < n; i++) {
        const l = /** @type {string[]} */ (lookups[i % k]);
        const r = router.match(/** @type {string} */ (l[0]), /** @type {string} */ (l[1]));
        if (r.kind === 'found') sum += r.value;
      }
      return sum;
    },
    check(m, p) {
      const r = router.match(m, p);
      return r.kind === 'found' ? { value: r.value, params: { ...r.params } } : null;
    },
  };
}

/** @param {[string, string][]} routes @returns {Bench} */
export function findMyWay(routes) {
  const router = FindMyWay();
  routes.forEach(([m, p], i) => router.on(/** @type {any} */ (m), p, () => {}, { i }));
  return {
    name: 'find-my-way',
    run(lookups, n) {
      let sum = 0;
      const k = lookups.length;
      for (let i = 0; i < n; i++) {
        const l = /** @type {string[]} */ (lookups[i % k]);
        const r = router.find(/** @type {any} */ (l[0]), /** @type {string} */ (l[1]));
        if (r) sum += /** @type {any} */ (r.store).i;
      }
      return sum;
    },
    check(m, p) {
      const r = router.find(/** @type {any} */ (m), p);
      return r ? { value: /** @type {any} */ (r.store).i, params: { ...r.params } } : null;
    },
  };
}

/**
 * @param {string} name
 * @param {import('hono/router').Router<number>} router
 * @param {[string, string][]} routes
 * @returns {Bench}
 */
function hono(name, router, routes) {
  routes.forEach(([m, p], i) => router.add(m, p, i));
  return {
    name,
    run(lookups, n) {
      let sum = 0;
      const k = lookups.length;
      for (let i = 0; i < n; i++) {
        const l = /** @type {string[]} */ (lookups[i % k]);
        const r = router.match(/** @type {string} */ (l[0]), /** @type {string} */ (l[1]));
        const first = r[0][0];
        if (first) sum += first[0];
      }
      return sum;
    },
    check(m, p) {
      const r = router.match(m, p);
      const first = r[0][0];
      if (!first) return null;
      /** @type {Record<string, string>} */
      const params = {};
      const stash = /** @type {string[] | undefined} */ (r[1]);
      for (const [key, at] of Object.entries(first[1])) params[key] = String(stash ? stash[/** @type {number} */ (at)] : at);
      return { value: first[0], params };
    },
  };
}

/** @param {[string, string][]} routes */
export function honoRegExp(routes) {
  return hono('hono RegExpRouter', new RegExpRouter(), routes);
}

/** @param {[string, string][]} routes */
export function honoTrie(routes) {
  return hono('hono TrieRouter', new TrieRouter(), routes);
}
