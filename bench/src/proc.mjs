// @ts-check
/**
 * Readers for Linux /proc: CPU time and resident memory of a process and all its descendants.
 * A server's cost is the sum over its whole process tree (nginx master + worker, runtime helpers).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second for utime/stime in /proc/<pid>/stat (`getconf CLK_TCK`, 100 on Linux). */
export const CLOCK_TICKS = readClockTicks();

function readClockTicks() {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/**
 * The fields of one /proc/<pid>/stat line that the bench uses.
 * @typedef {{ pid: number, comm: string, state: string, ppid: number, utimeTicks: number, stimeTicks: number }} ProcStat
 */

/**
 * Parses the text of /proc/<pid>/stat. The command name is in parentheses and may itself hold spaces
 * or parentheses, so the fields are split after the LAST `)`.
 * @param {string} text
 * @returns {ProcStat}
 */
export function parseProcStat(text) {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // Fields after the comm, numbered from 3 (state) as in proc(5).
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const field = (/** @type {number} */ n) => {
    const v = rest[n - 3];
    if (v === undefined) throw new Error(`/proc/<pid>/stat line too short (field ${n})`);
    return v;
  };
  return {
    pid,
    comm,
    state: field(3),
    ppid: Number(field(4)),
    utimeTicks: Number(field(14)),
    stimeTicks: Number(field(15)),
  };
}

/**
 * Reads /proc/<pid>/stat; undefined when the process is gone.
 * @param {number} pid
 * @returns {ProcStat | undefined}
 */
export function readProcStat(pid) {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The pid and every live descendant of it (children, grandchildren, …), found by scanning /proc.
 * @param {number} rootPid
 * @returns {number[]}
 */
export function processTree(rootPid) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (!st) continue;
    const list = children.get(st.ppid);
    if (list) list.push(st.pid);
    else children.set(st.ppid, [st.pid]);
  }
  const out = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = /** @type {number} */ (stack.pop());
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

/**
 * CPU seconds (user + system, all threads) consumed so far by a process tree.
 * Only live processes count: a child that exited during a run loses its share, so the servers here
 * keep their processes for their whole life.
 * @param {number} rootPid
 * @returns {number} seconds
 */
export function treeCpuSeconds(rootPid) {
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    const st = readProcStat(pid);
    if (st) ticks += st.utimeTicks + st.stimeTicks;
  }
  return ticks / CLOCK_TICKS;
}

/**
 * Parses `VmRSS:` (kB) from the text of /proc/<pid>/status; 0 when absent (kernel threads, zombies).
 * @param {string} text
 * @returns {number} bytes
 */
export function parseRssBytes(text) {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Resident set size of a process tree in bytes (sum of VmRSS; shared pages count once per process).
 * @param {number} rootPid
 * @returns {number}
 */
export function treeRssBytes(rootPid) {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      total += parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      // gone between the scan and the read
    }
  }
  return total;
}
