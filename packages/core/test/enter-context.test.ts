import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { enterer } from '../src/context/enter-context.js';

describe('enterer (AsyncLocalStorage.run without its per-call overhead)', () => {
  it('runs with the store, restores the previous one after a return or a throw, and nests', () => {
    const als = new AsyncLocalStorage<string>();
    const enter = enterer(als);
    expect(als.getStore()).toBeUndefined();
    const seen: Array<string | undefined> = [];
    const r = enter('a', ((x: number) => {
      seen.push(als.getStore());
      enter('b', (() => seen.push(als.getStore())) as never, 0);
      seen.push(als.getStore());
      return x + 1;
    }) as never, 41);
    expect(r).toBe(42);
    expect(seen).toEqual(['a', 'b', 'a']);
    expect(() => enter('c', (() => {
      throw new Error('x');
    }) as never, 0)).toThrow('x');
    expect(als.getStore()).toBeUndefined();
  });

  it('async work started inside keeps its own store, interleaved with others (as with run)', async () => {
    const als = new AsyncLocalStorage<number>();
    const enter = enterer(als);
    const handler = async (k: number): Promise<string> => {
      await new Promise((r) => setTimeout(r, (7 * k) % 5));
      await Promise.resolve();
      const a = als.getStore();
      await new Promise((r) => setImmediate(r));
      return `${k}:${a}:${als.getStore()}`;
    };
    const pending = [];
    for (let k = 0; k < 20; k++) pending.push(enter(k, handler as never, k) as Promise<string>);
    expect(als.getStore()).toBeUndefined();
    const out = await Promise.all(pending);
    expect(out).toEqual(Array.from({ length: 20 }, (_, k) => `${k}:${k}:${k}`));
    // a store seen inside `run` is the same through either way in
    const viaRun = await als.run(5, () => handler(5));
    expect(viaRun).toBe('5:5:5');
  });

  it('entered from different async resources in turn (the resource is cached by async id), each call sees its own store', async () => {
    const als = new AsyncLocalStorage<string>();
    const enter = enterer(als);
    const a = new AsyncResource('A');
    const b = new AsyncResource('B');
    const order: Array<[AsyncResource, string]> = [[a, 'a1'], [b, 'b1'], [b, 'b2'], [a, 'a2'], [b, 'b3']];
    const seen: Array<string | undefined> = [];
    const later: Array<Promise<string | undefined>> = [];
    for (const [r, store] of order) {
      r.runInAsyncScope(() => {
        enter(store, (() => {
          seen.push(als.getStore());
          later.push(Promise.resolve().then(() => als.getStore()));
        }) as never, 0);
        seen.push(als.getStore()); // restored on the resource itself
      });
    }
    expect(seen).toEqual(['a1', undefined, 'b1', undefined, 'b2', undefined, 'a2', undefined, 'b3', undefined]);
    expect(await Promise.all(later)).toEqual(['a1', 'b1', 'b2', 'a2', 'b3']);
    expect(als.getStore()).toBeUndefined();
  });
});
