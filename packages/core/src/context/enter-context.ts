import { type AsyncLocalStorage, executionAsyncId, executionAsyncResource } from 'node:async_hooks';

/** Runs `fn(arg)` with `store` as the storage's value (what `als.run(store, fn, arg)` does). @internal */
export type Enter<T> = (store: T, fn: (arg: never) => unknown, arg: unknown) => unknown;

/**
 * `als.run(store, fn, arg)` without its per-call overhead where the runtime allows it. On runtimes
 * whose AsyncLocalStorage keeps the store on the current async resource under the storage's own
 * `kResourceStore` symbol (Node 20/22 without AsyncContextFrame), this does exactly what `run` does
 * — set the store on `executionAsyncResource()`, call, restore it in `finally` — so promises made
 * during the call capture it as with `run` (async handlers see their own context), without the
 * `getStore()` check, the rest-arguments array and `Reflect.apply` of `run`. Elsewhere it is
 * `als.run`. @internal
 */
export function enterer<T>(als: AsyncLocalStorage<T>): Enter<T> {
  const key = (als as unknown as { kResourceStore?: unknown }).kResourceStore;
  if (typeof key !== 'symbol' || !resourceStoreWorks(als, key)) {
    return (store, fn, arg) => als.run(store, fn as (a: unknown) => unknown, arg);
  }
  // The current resource of the last call, by its async id: ids are unique in a process and name one
  // resource, so the same id is the same resource (not id 0: a callback made without an async context
  // has id 0 whatever its resource). `executionAsyncId()` reads a number where
  // `executionAsyncResource()` may call into C++ (a resource entered natively, as a transport's batch
  // callback is); the requests of a batch share one. Keeps that one resource alive until the next call.
  let lastId = -1;
  let lastResource: Record<symbol, unknown> | null = null;
  return (store, fn, arg) => {
    const id = executionAsyncId();
    let resource = lastResource;
    if (id !== lastId || resource === null || id === 0) {
      resource = lastResource = executionAsyncResource() as Record<symbol, unknown>;
      lastId = id;
    }
    const old = resource[key];
    resource[key] = store;
    try {
      return (fn as (a: unknown) => unknown)(arg);
    } finally {
      resource[key] = old;
    }
  };
}

/**
 * Whether the storage reads its store from the current resource under `key` (checked once: enables
 * the storage as `run` does, and proves the layout rather than assuming it).
 */
function resourceStoreWorks<T>(als: AsyncLocalStorage<T>, key: symbol): boolean {
  const probe = {} as T;
  let inside = false;
  als.run(probe, () => {
    const resource = executionAsyncResource() as Record<symbol, unknown>;
    inside = resource[key] === probe && als.getStore() === probe;
  });
  if (!inside) return false;
  const resource = executionAsyncResource() as Record<symbol, unknown>;
  const old = resource[key];
  const mark = {} as T;
  resource[key] = mark;
  const seen = als.getStore() === mark;
  resource[key] = old;
  return seen && als.getStore() !== mark;
}
