// @ts-check
/** The URL paths the bench measures and what each must answer. */

/** @typedef {import('./http-check.mjs').Expectation} Expectation */

/** The seed benchmark's path. */
export const ROOT_PATH = '/';

/**
 * Every path the bench knows, with its expected answer. `/` is served by every server; the others by jato.
 * @type {ReadonlyMap<string, Expectation>}
 */
export const EXPECTATIONS = new Map([
  ['/', { kind: 'text', body: 'Hello world!' }],
  ['/json', { kind: 'json', value: { message: 'Hello, World!' } }],
  ['/params/42', { kind: 'text', body: '42' }],
  ['/async', { kind: 'text', body: 'Hello world!' }],
  ['/user/42', { kind: 'text', body: 'user 42' }], // the Hono app of the fetch scenario (servers/hono-app.mjs)
]);

/**
 * Expected answer for a path.
 * @param {string} path
 * @returns {Expectation}
 */
export function expectationFor(path) {
  const e = EXPECTATIONS.get(path);
  if (!e) throw new Error(`no expected answer known for ${path}`);
  return e;
}
