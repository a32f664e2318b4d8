#!/usr/bin/env node
/**
 * The `jato` executable: `jato serve ./app.js --port 8080 --workers 4`, `jato dev ./app.ts`,
 * `jato --help`. See src/cli/usage.ts.
 */
import { main } from './cli/main.js';

void main(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exit(code);
});
