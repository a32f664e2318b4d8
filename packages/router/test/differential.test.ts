/**
 * Differential test: random route tables and random paths (seeded), every implementation must give
 * the same answer as the linear reference router, and reject the same registrations the same way.
 */
import { describe, expect, it } from 'vitest';
import { LinearRouter, RadixRouter, type MatchResult, type Router } from '../src/index.js';
import { seededRandom } from './seeded-random.js';
import { showMatch } from './show-match.js';

const WORDS = ['a', 'b', 'ab', 'abc', 'abd', 'x', 'users', 'user', 'u'];
const PATH_WORDS = [...WORDS, 'zz', '%41', '%zz', '%C3%A9', '', 'a%2Fb', 'users1'];
const METHODS = ['GET', 'GET', 'POST', 'PUT', 'HEAD', '*', 'PROPFIND'];

/** A compact view of a result; a match shows its value, pattern and params. */
function show(r: MatchResult<number>): string {
  return showMatch(r, (f) => `found ${f.value} ${f.pattern} ${JSON.stringify(Object.entries(f.params))}`);
}

function randomPattern(rand: (n: number) => number): string {
  const n = 1 + rand(5);
  let p = '';
  for (let i = 0; i < n; i++) {
    const k = rand(10);
    if (k < 6) p += `/${WORDS[rand(WORDS.length)]}`;
    else if (k < 9) p += rand(2) ? `/:p${i}` : `/{p${i}}`;
    else {
      p += rand(2) ? '/*' : `/*w${i}`;
      return p;
    }
  }
  return rand(8) === 0 ? `${p}/` : p;
}

function randomPath(rand: (n: number) => number): string {
  const n = rand(7);
  let p = '';
  for (let i = 0; i < n; i++) p += `/${PATH_WORDS[rand(PATH_WORDS.length)]}`;
  return p === '' || rand(8) === 0 ? `${p}/` : p;
}

describe('differential: radix (compiled and tree walk) vs linear', () => {
  // small tables reach every result kind; large ones (mostly answered by some catch-all) exercise the
  // compiled matcher's split into several functions
  for (const [tables, routes, kindsWanted] of [
    [40, 30, ['404', '405', 'bad', 'found']],
    [4, 400, ['bad', 'found']],
  ] as const) {
    it(`agrees on ${tables} random tables of ${routes} routes`, () => {
      const rand = seededRandom(routes * 7919 + tables);
      let compared = 0;
      const kinds = new Set<string>();
      for (let t = 0; t < tables; t++) {
        const routers: Router<number>[] = [new LinearRouter(), new RadixRouter(), new RadixRouter({ compile: false })];
        for (let i = 0; i < routes; i++) {
          const pattern = randomPattern(rand);
          const method = METHODS[rand(METHODS.length)]!;
          const outcomes = routers.map((r) => {
            try {
              r.add(method, pattern, i);
              return 'ok';
            } catch (e) {
              return (e as Error).message;
            }
          });
          expect(new Set(outcomes).size, `${method} ${pattern}`).toBe(1);
          // interleave matches with registration: the compiled matcher must follow every change
          if (i % 50 === 49) expect(show(routers[1]!.match('GET', '/a'))).toBe(show(routers[0]!.match('GET', '/a')));
        }
        for (let j = 0; j < 600; j++) {
          const path = randomPath(rand);
          const method = ['GET', 'HEAD', 'POST', 'DELETE', 'PROPFIND'][rand(5)]!;
          const want = show(routers[0]!.match(method, path));
          kinds.add(want.split(' ')[0]!);
          for (const r of routers.slice(1)) expect(show(r.match(method, path)), `${method} ${path}`).toBe(want);
          compared++;
        }
      }
      expect(compared).toBe(tables * 600);
      expect([...kinds].sort()).toEqual(kindsWanted);
    });
  }
});
