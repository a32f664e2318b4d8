import { describe, expect, it } from 'vitest';
import { Backoff, resolveWorkerCount } from '../../src/cluster/index.js';
import { availableParallelism } from 'node:os';

describe('Backoff', () => {
  it('doubles per consecutive crash up to the cap', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, stableMs: 5000 });
    expect([1, 1, 1, 1, 1, 1].map(() => b.next(10))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('starts over after a worker stayed up for the stable time', () => {
    const b = new Backoff({ initialMs: 50, maxMs: 10_000, stableMs: 1000 });
    b.next(0);
    b.next(0);
    expect(b.next(0)).toBe(200);
    expect(b.next(1000)).toBe(50);
    expect(b.next(10)).toBe(100);
  });

  it('has documented defaults', () => {
    const b = new Backoff();
    expect(b.next(0)).toBe(100);
    for (let i = 0; i < 20; i++) b.next(0);
    expect(b.next(0)).toBe(10_000);
    expect(b.next(10_000)).toBe(100);
  });
});

describe('resolveWorkerCount', () => {
  it("resolves 'auto' and validates numbers", () => {
    expect(resolveWorkerCount('auto')).toBe(availableParallelism());
    expect(resolveWorkerCount(3)).toBe(3);
    expect(() => resolveWorkerCount(0)).toThrow(/positive integer or 'auto', got 0/);
    expect(() => resolveWorkerCount(1.5)).toThrow(RangeError);
  });
});
