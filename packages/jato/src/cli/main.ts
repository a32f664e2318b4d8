import { parseCommand } from './args.js';
import { CliError } from './cli-error.js';
import { dev } from './dev.js';
import { serve } from './serve.js';
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
    if (command.kind === 'dev') return await dev(command);
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
