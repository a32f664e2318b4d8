import { describe, expect, it } from 'vitest';
import { createRouter, RadixRouter } from '../src/index.js';
import { runRouterCases } from './router.case.js';

runRouterCases('RadixRouter (compiled)', () => new RadixRouter());
runRouterCases('RadixRouter (tree walk)', () => new RadixRouter({ compile: false }));
runRouterCases('createRouter()', createRouter);

describe('RadixRouter without code generation', () => {
  it('walks the tree when the runtime forbids new Function', () => {
    const router = new RadixRouter<string>();
    router.add('GET', '/a/:b', 'x');
    router.add('GET', '/c', 'y');
    const original = globalThis.Function;
    let calls = 0;
    globalThis.Function = function forbidden() {
      calls++;
      throw new EvalError('Code generation from strings disallowed for this context');
    } as unknown as FunctionConstructor;
    let results: unknown[];
    try {
      results = [router.match('GET', '/a/1'), router.match('POST', '/a/1'), router.match('GET', '/a/%zz')];
    } finally {
      globalThis.Function = original;
    }
    expect(calls).toBe(1);
    expect(results).toEqual([
      { kind: 'found', value: 'x', params: { b: '1' }, pattern: '/a/:b' },
      { kind: 'method-not-allowed', allowed: ['GET', 'HEAD'] },
      { kind: 'bad-param', segment: '%zz' },
    ]);
  });
});
