import { describe, expect, test } from 'vitest';
import { buildCommand } from '../src/binding.js';

describe('buildCommand: the local-build command the runtime warning names', () => {
  test('npm (or yarn) layout: npx', () => {
    expect(buildCommand('native-loop', 'file:///srv/app/node_modules/@jato/native-loop/dist/index.js')).toBe('npx jato build-native');
    expect(buildCommand('parser', 'file:///srv/app/node_modules/@jato/parser/dist/native.js')).toBe('npx jato-build-native @jato/parser');
  });

  test("pnpm's store (also a percent-encoded path with a space): pnpm exec", () => {
    const url = 'file:///srv/my%20app/node_modules/.pnpm/@jato+native-loop@0.1.0/node_modules/@jato/native-loop/dist/index.js';
    expect(buildCommand('native-loop', url)).toBe('pnpm exec jato build-native');
    expect(buildCommand('parser', url.replace(/native-loop/g, 'parser'))).toBe('pnpm exec jato-build-native @jato/parser');
  });
});
