#!/usr/bin/env node
// @ts-check
/**
 * `pnpm bench`: runs the seed benchmark against jato and the peers and writes the results.
 * Exit code 1 when a server would not start or answered wrongly, a run broke or had errors, or (in
 * --quick mode) a requested server was skipped.
 */
import { parseOptions, USAGE } from './options.mjs';
import { runBench, problems } from './run-bench.mjs';
import { machineInfo } from './machine.mjs';
import { writeResults } from './write-results.mjs';
import { runProfiles } from './profile.mjs';
import { SERVERS } from './servers.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Runs the CLI.
 * @param {string[]} argv
 * @param {(line: string) => void} [log]
 * @returns {Promise<number>} exit code
 */
export async function main(argv, log = (l) => process.stderr.write(`${l}\n`)) {
  let o;
  try {
    o = parseOptions(argv);
  } catch (e) {
    log(/** @type {Error} */ (e).message);
    return 2;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (o.render) {
    const saved = JSON.parse(readFileSync(o.render, 'utf8'));
    /** @type {import('./run-bench.mjs').BenchResult} */
    const result = { ...saved, options: { ...saved.options, outDir: o.outDir, publish: o.publish } };
    const { files, notes } = await writeResults(result, saved.machine ?? machineInfo(), saved.argv ?? []);
    for (const n of notes) log(`note: ${n}`);
    log(`wrote:\n  ${files.join('\n  ')}`);
    return 0;
  }
  try {
    execFileSync('wrk', ['-v'], { stdio: 'ignore' });
  } catch (e) {
    // wrk -v exits 1 after printing its version; only a missing binary is fatal
    if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ENOENT') {
      log('wrk is not installed: sudo apt-get install -y wrk   (or: pnpm bench:setup)');
      return 1;
    }
  }
  if (o.profile) {
    const { files, problems: bad } = await runProfiles(o, SERVERS, log);
    log(`wrote:\n  ${files.join('\n  ')}`);
    if (bad.length > 0) log(`\nPROBLEMS:\n  ${bad.join('\n  ')}`);
    return bad.length > 0 ? 1 : 0;
  }
  log(`jato bench: ${o.quick ? 'quick smoke run' : 'full run'}: ${o.servers.join(', ')}; ${o.modes.join(' + ')}; ${o.runs} × ${o.durationSeconds} s`);
  const result = await runBench(o, log);
  const machine = machineInfo();
  const { files, notes } = await writeResults(result, machine, argv);
  for (const n of notes) log(`note: ${n}`);
  log(`wrote:\n  ${files.join('\n  ')}`);
  const bad = problems(result, { requireAll: o.quick });
  if (bad.length > 0) {
    log(`\nPROBLEMS:\n  ${bad.join('\n  ')}`);
    return 1;
  }
  return 0;
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  // Ctrl-C or a kill: exit, and the 'exit' hook of server-process.mjs stops every server started.
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => process.exit(130));
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${e?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
