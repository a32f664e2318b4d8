import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { App } from '../src/index.js';
import { inject } from './support/testing.js';

describe('which objects a handler may return as JSON', () => {
  it('data is JSON (also an object literal with a method); class instances with stream-like methods are a 500', async () => {
    const app = new App({ logger: false });
    const results: Record<string, unknown> = {
      '/plain': { a: 1 },
      '/literal-with-next': { a: 2, next: () => 1 },
      '/null-proto': Object.assign(Object.create(null) as object, { a: 3 }),
      '/class': new (class Point { x = 4; })(),
      '/emitter': new EventEmitter(),
      '/iterator': [5][Symbol.iterator](),
    };
    for (const [path, value] of Object.entries(results)) app.get(path, () => value as never);
    const answers = await Promise.all(Object.keys(results).map(async (p) => [p, (await inject(app, p)).status, (await inject(app, p)).text()]));
    expect(answers).toEqual([
      ['/plain', 200, '{"a":1}'],
      ['/literal-with-next', 200, '{"a":2}'],
      ['/null-proto', 200, '{"a":3}'],
      ['/class', 200, '{"x":4}'],
      ['/emitter', 500, 'Internal Server Error'],
      ['/iterator', 500, 'Internal Server Error'],
    ]);
  });
});
