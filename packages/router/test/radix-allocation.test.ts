/**
 * "No allocation for static routes", observed: a scavenge (minor GC) happens only when new space fills
 * up, so a million static matches must trigger none while a million matches with params (the positive
 * control: one params object and one result each) trigger some.
 */
import { constants, PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { RadixRouter, type Router } from '../src/index.js';

/** Let the observer's queued entries arrive (event-loop turns, not a timed wait). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function scavengesDuring(run: () => void): Promise<number> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  try {
    const t0 = performance.now();
    run();
    const t1 = performance.now();
    for (let i = 0; i < 4; i++) await turn();
    entries.push(...observer.takeRecords());
    return entries.filter(
      (e) =>
        e.startTime >= t0 &&
        e.startTime <= t1 &&
        (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR,
    ).length;
  } finally {
    observer.disconnect();
  }
}

function loop(router: Router<number>, method: string, path: string, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = router.match(method, path);
    if (r.kind === 'found') sum += r.value;
  }
  return sum;
}

describe.each([
  ['compiled', () => new RadixRouter<number>()],
  ['tree walk', () => new RadixRouter<number>({ compile: false })],
])('RadixRouter (%s) allocation', (_, create) => {
  it('allocates nothing for static routes, misses and single-route 405s; a params object per match otherwise', async () => {
    const router = create();
    router.add('GET', '/users/all', 1);
    router.add('GET', '/users/:id', 2);
    router.add(['GET', 'HEAD'], '/a/b/c/d', 3);
    router.add('GET', '/files/*', 4);
    const n = 1_000_000;
    loop(router, 'GET', '/users/all', 1000); // compile and warm up first
    loop(router, 'GET', '/users/7', 1000);
    const statics = await scavengesDuring(() => {
      loop(router, 'GET', '/users/all', n);
      loop(router, 'HEAD', '/a/b/c/d', n);
      loop(router, 'GET', '/nope', n); // not found: the shared frozen result
      loop(router, 'POST', '/a/b/c/d', n); // 405 from one route: its precomputed result
      loop(router, 'POST', '/users/7', n); // the same through a param route
    });
    const params = await scavengesDuring(() => loop(router, 'GET', '/users/7', n));
    expect(params).toBeGreaterThan(0);
    expect(statics).toBe(0);
  });
});
