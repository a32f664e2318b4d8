import { describe, expect, test } from 'vitest';
import { runtimeName, runtimeUnsupported } from '../src/native/runtime-support.js';

describe('runtime support of the native transport', () => {
  test('Node runs it', () => {
    expect(runtimeUnsupported({ node: '22.11.0' }, {})).toBeUndefined();
    expect(runtimeName({ node: '22.11.0' }, {})).toBe('node 22.11.0');
    expect(runtimeUnsupported()).toBeUndefined(); // this test runs on Node
  });

  test('Bun and Deno are recognised before the addon is loaded, with a reason naming them', () => {
    expect(runtimeUnsupported({ node: '24.3.0', bun: '1.4.4' }, {})).toBe(
      'bun 1.4.4 does not provide the libuv event loop the native transport runs on',
    );
    expect(runtimeUnsupported({ node: '24.2.0', deno: '2.9.6' }, {})).toMatch(/^deno 2\.9\.6 does not provide/);
    expect(runtimeUnsupported({ node: '24.2.0' }, { Deno: { version: { deno: '2.1.0' } } })).toMatch(/^deno 2\.1\.0 /);
  });
});
