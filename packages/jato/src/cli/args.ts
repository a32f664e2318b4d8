import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

/** What the command line asks for. */
export type Command =
  | { kind: 'help' }
  | { kind: 'info' }
  | { kind: 'build-native'; parser: boolean }
  | { kind: 'serve' | 'dev'; entry: string; port: number; host: string; workers: number | 'auto'; watch: string[] };

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new CliError(`--port must be an integer from 0 to 65535, got '${value}'`);
  return port;
}

function parseWorkers(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new CliError(`--workers must be a positive integer or 'auto', got '${value}'`);
  return n;
}

/** Parses `argv` (without node and the script), with defaults from `env` (PORT, HOST, WORKERS). */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string', short: 'H' },
        workers: { type: 'string', short: 'w' },
        watch: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        parser: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\nRun 'jato --help' for usage.`);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0 || positionals[0] === 'help') return { kind: 'help' };
  const [name, entry, ...rest] = positionals;
  if (name === 'info') {
    if (entry !== undefined) throw new CliError(`unexpected argument '${entry}'`);
    return { kind: 'info' };
  }
  if (name === 'build-native') {
    if (entry !== undefined) throw new CliError(`unexpected argument '${entry}'`);
    return { kind: 'build-native', parser: values.parser === true };
  }
  if (values.parser !== undefined) throw new CliError(`--parser is for 'jato build-native'`);
  if (name !== 'serve' && name !== 'dev') {
    throw new CliError(`unknown command '${name}'; expected 'serve', 'dev', 'info' or 'build-native'. Run 'jato --help' for usage.`);
  }
  if (entry === undefined) throw new CliError(`'jato ${name}' needs an entry file, e.g. 'jato ${name} ./app.js'`);
  if (rest.length > 0) throw new CliError(`unexpected argument '${rest[0]}'`);
  const workers = parseWorkers(values.workers ?? env.WORKERS ?? '1');
  if (name === 'dev' && workers !== 1) throw new CliError(`'jato dev' runs one process; --workers is for 'jato serve'`);
  if (name === 'serve' && values.watch !== undefined) throw new CliError(`--watch is for 'jato dev'`);
  return {
    kind: name,
    entry,
    port: parsePort(values.port ?? env.PORT ?? '8080'),
    host: values.host ?? env.HOST ?? '0.0.0.0',
    workers,
    watch: values.watch ?? [],
  };
}
