import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { parseProcStat, readProcStat, processTree, treeCpuSeconds, parseRssBytes, treeRssBytes, CLOCK_TICKS } from '../src/proc.mjs';

describe('/proc/<pid>/stat', () => {
  it('splits after the last parenthesis, so a command name with spaces and ")" is safe', () => {
    const line = '4242 (my (odd) cmd) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 12345 1000000 500 18446744073709551615';
    const st = parseProcStat(line);
    expect(st).toEqual({ pid: 4242, comm: 'my (odd) cmd', state: 'S', ppid: 17, utimeTicks: 250, stimeTicks: 75 });
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStat('hello')).toThrow(/not a \/proc/);
    expect(() => parseProcStat('1 (x) S 0')).toThrow(/too short/);
  });

  it('reads this process and tells a gone one by undefined', () => {
    const me = readProcStat(process.pid);
    expect(me?.pid).toBe(process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(readProcStat(2 ** 22 + 12345)).toBeUndefined();
  });

  it('counts the CPU time this process burns', () => {
    const before = treeCpuSeconds(process.pid);
    const usage0 = process.cpuUsage();
    const until = Date.now() + 300;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    const used = process.cpuUsage(usage0);
    const delta = treeCpuSeconds(process.pid) - before;
    const expected = (used.user + used.system) / 1e6;
    // tick granularity (10 ms at CLK_TCK 100) on both ends, plus other threads of this process
    expect(delta).toBeGreaterThanOrEqual(expected - 3 / CLOCK_TICKS);
    expect(delta).toBeLessThan(expected + 0.5);
  });

  it('finds children and grandchildren in the process tree and sums their CPU', async () => {
    // sh → node child that burns 0.3 s of CPU time (not wall time: the machine may be busy), then
    // waits for stdin to close
    const burn =
      "const t=process.cpuUsage();let x=0;while(process.cpuUsage(t).user+process.cpuUsage(t).system<300000)x++;" +
      "console.log('burnt');process.stdin.on('end',()=>process.exit(0));process.stdin.resume()";
    const child = spawn('sh', ['-c', `"${process.execPath}" -e "${burn}"; exit 0`], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const pids = processTree(child.pid!);
      expect(pids[0]).toBe(child.pid);
      expect(pids.length).toBeGreaterThanOrEqual(2);
      expect(treeCpuSeconds(child.pid!)).toBeGreaterThanOrEqual(0.3 - 2 / CLOCK_TICKS);
      expect(treeRssBytes(child.pid!)).toBeGreaterThan(10 * 1024 * 1024);
    } finally {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
  });
});

describe('RSS', () => {
  it('parses VmRSS in kB and reports 0 without it', () => {
    expect(parseRssBytes('Name:\tnode\nVmHWM:\t  9000 kB\nVmRSS:\t   51234 kB\n')).toBe(51234 * 1024);
    expect(parseRssBytes('Name:\tkthreadd\n')).toBe(0);
  });
  it('matches what Node reports for itself, within a few MiB', () => {
    const rss = treeRssBytes(process.pid);
    expect(Math.abs(rss - process.memoryUsage().rss)).toBeLessThan(16 * 1024 * 1024);
  });
});
