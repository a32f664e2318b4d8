/** The `jato` command line's building blocks (the executable is `src/cli.ts`). */
export { main } from './main.js';
export { parseCommand, type Command } from './args.js';
export { serve, urlOf, type ServeOptions } from './serve.js';
export { dev, type DevOptions } from './dev.js';
export { CliError } from './cli-error.js';
export { USAGE } from './usage.js';
