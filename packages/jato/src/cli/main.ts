import { parseCommand } from './args.js';
import { buildNative } from './build-native.js';
import { CliError } from './cli-error.js';
import { runNodeChild } from './child.js';
import { dev } from './dev.js';
import { info } from './info.js';
import { resolveEntry } from './load-app.js';
import { serve } from './serve.js';
import { planTypeScript } from './typescript.js';
import { USAGE } from './usage.js';

/**
 * Runs the `jato` command line. Resolves to an exit code when the command is finished (help,
 * errors, dev mode stopped), or to undefined while a server keeps the process alive.
 */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (command.kind === 'info') return await info();
    if (command.kind === 'build-native') return buildNative(command);
    if (command.kind === 'dev') return await dev(command);
    const plan = planTypeScript(resolveEntry(command.entry));
    if (plan.kind === 'reexec') {
      // Node 22.6–22.17 strips types only with a flag: run this same command in a child that has it.
      return await runNodeChild([plan.flag, '--disable-warning=ExperimentalWarning', ...process.execArgv, process.argv[1]!, ...argv]);
    }
    await serve(command);
    return undefined;
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`jato: ${error.message}\n`);
      return error.exitCode;
    }
    const err = error as Error;
    process.stderr.write(`jato: ${err.stack ?? String(err)}\n`);
    return 1;
  }
}
