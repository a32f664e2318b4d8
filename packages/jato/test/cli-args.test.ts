import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/cli/args.js';
import { CliError } from '../src/cli/cli-error.js';
import { urlOf } from '../src/cli/serve.js';
import { ignoredPath } from '../src/cli/watch.js';
import { isTypeScript } from '../src/cli/typescript.js';

describe('jato CLI arguments', () => {
  it('parses serve with every option', () => {
    expect(parseCommand(['serve', './app.js', '--port', '9000', '--host', '::', '--workers', '4'], {})).toEqual({
      kind: 'serve', entry: './app.js', port: 9000, host: '::', workers: 4, watch: [],
    });
    expect(parseCommand(['serve', 'a.js', '-p', '0', '-H', '127.0.0.1', '-w', 'auto'], {})).toMatchObject({
      port: 0, host: '127.0.0.1', workers: 'auto',
    });
  });

  it('takes defaults from PORT, HOST and WORKERS, then 8080, 0.0.0.0 and 1', () => {
    expect(parseCommand(['serve', 'a.js'], {})).toMatchObject({ port: 8080, host: '0.0.0.0', workers: 1 });
    expect(parseCommand(['serve', 'a.js'], { PORT: '81', HOST: 'localhost', WORKERS: '2' })).toMatchObject({
      port: 81, host: 'localhost', workers: 2,
    });
    expect(parseCommand(['serve', 'a.js', '--port', '82'], { PORT: '81' })).toMatchObject({ port: 82 });
  });

  it('parses dev with watch directories', () => {
    expect(parseCommand(['dev', 'app.ts', '--watch', 'src', '--watch', 'lib'], {})).toMatchObject({
      kind: 'dev', entry: 'app.ts', watch: ['src', 'lib'], workers: 1,
    });
  });

  it('parses build-native, with --parser for the parser addon too', () => {
    expect(parseCommand(['build-native'], {})).toEqual({ kind: 'build-native', parser: false });
    expect(parseCommand(['build-native', '--parser'], {})).toEqual({ kind: 'build-native', parser: true });
    expect(() => parseCommand(['build-native', 'x'], {})).toThrow(/unexpected argument 'x'/);
    expect(() => parseCommand(['serve', 'a.js', '--parser'], {})).toThrow(/--parser is for 'jato build-native'/);
  });

  it('shows help for --help, help or nothing', () => {
    expect(parseCommand(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCommand(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseCommand(['help'], {})).toEqual({ kind: 'help' });
    expect(parseCommand([], {})).toEqual({ kind: 'help' });
  });

  it('rejects bad input with clear messages', () => {
    const bad: Array<[string[], RegExp]> = [
      [['start', 'a.js'], /unknown command 'start'/],
      [['serve'], /needs an entry file/],
      [['serve', 'a.js', 'b.js'], /unexpected argument 'b.js'/],
      [['serve', 'a.js', '--port', 'http'], /--port must be an integer from 0 to 65535, got 'http'/],
      [['serve', 'a.js', '--port', '70000'], /--port must be/],
      [['serve', 'a.js', '--port', '-1'], /--port/],
      [['serve', 'a.js', '--workers', '0'], /--workers must be a positive integer or 'auto', got '0'/],
      [['serve', 'a.js', '--workers', 'many'], /--workers must be/],
      [['serve', 'a.js', '--verbose'], /Unknown option '--verbose'/],
      [['dev', 'a.js', '--workers', '2'], /runs one process/],
      [['serve', 'a.js', '--watch', 'x'], /--watch is for 'jato dev'/],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseCommand(argv, {}), argv.join(' ')).toThrow(message);
      expect(() => parseCommand(argv, {})).toThrow(CliError);
    }
  });

  it('formats URLs, ignores dependency and editor files, knows TypeScript names', () => {
    expect(urlOf('127.0.0.1', 80)).toBe('http://127.0.0.1:80');
    expect(urlOf('::1', 8080)).toBe('http://[::1]:8080');
    expect(ignoredPath('node_modules/x/index.js')).toBe(true);
    expect(ignoredPath('src/.git/HEAD')).toBe(true);
    expect(ignoredPath('src/app.ts~')).toBe(true);
    expect(ignoredPath('src/.app.ts.swp')).toBe(true);
    expect(ignoredPath('src/app.ts')).toBe(false);
    expect(['a.ts', 'a.mts', 'a.cts', 'a.tsx'].every(isTypeScript)).toBe(true);
    expect(['a.js', 'a.mjs', 'a.d.ts.map'].some(isTypeScript)).toBe(false);
  });
});
