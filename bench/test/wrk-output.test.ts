import { describe, expect, it } from 'vitest';
import { parseWrkOutput, parseWrkTime, parseWrkSize, socketErrorCount } from '../src/wrk-output.mjs';
import { parseBashTimes, wrkArgs, PIPELINE_LUA } from '../src/wrk.mjs';

/** A wrk report as wrk prints it for one thread and 100 connections: the header, then `lines`. */
function wrkReport(duration: string, lines: string[]): string {
  const header = [`Running ${duration} test @ http://127.0.0.1:8080/`, '  1 threads and 100 connections', '  Thread Stats   Avg      Stdev     Max   +/- Stdev'];
  return [...header, ...lines, ''].join('\n');
}

const CLEAN = wrkReport('10s', [
  '    Latency   253.84ms  411.56ms   1.98s    77.68%',
  '    Req/Sec    55.71k    15.88k   86.87k    80.00%',
  '  110770 requests in 10.00s, 14.26MB read',
  'Requests/sec:  11073.54',
  'Transfer/sec:      1.43MB',
]);

const WITH_ERRORS = wrkReport('1m', [
  '    Latency   640.86us    2.72ms  32.36ms   97.37%',
  '    Req/Sec    51.70k    20.14k   70.78k    81.82%',
  '  3102377 requests in 1.00m, 399.41MB read',
  '  Socket errors: connect 3, read 17, write 2, timeout 41',
  '  Non-2xx or 3xx responses: 12',
  'Requests/sec:  51706.28',
  'Transfer/sec:      6.66MB',
]);

describe('parseWrkOutput', () => {
  it('reads requests, duration, rate and bytes of a clean report', () => {
    const r = parseWrkOutput(CLEAN);
    expect(r.requests).toBe(110770);
    expect(r.durationSeconds).toBe(10);
    expect(r.requestsPerSecond).toBeCloseTo(11073.54, 2);
    expect(r.bytesRead).toBeCloseTo(14.26 * 1024 * 1024, 0);
    expect(r.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
    expect(r.non2xx3xx).toBe(0);
    expect(r.latencyAvgMs).toBeCloseTo(253.84, 2);
    expect(r.latencyMaxMs).toBeCloseTo(1980, 2);
  });

  it('reads socket errors and non-2xx counts when wrk prints them', () => {
    const r = parseWrkOutput(WITH_ERRORS);
    expect(r.durationSeconds).toBe(60);
    expect(r.requests).toBe(3102377);
    expect(r.socketErrors).toEqual({ connect: 3, read: 17, write: 2, timeout: 41 });
    expect(socketErrorCount(r)).toBe(63);
    expect(r.non2xx3xx).toBe(12);
    expect(r.latencyAvgMs).toBeCloseTo(0.64086, 5);
  });

  it('refuses a report without its summary instead of reading zero', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(/without a summary/);
    expect(() => parseWrkOutput(CLEAN.replace(/^Requests\/sec.*$/m, ''))).toThrow(/without a summary/);
  });

  it('converts wrk units', () => {
    expect(parseWrkTime('345.00us')).toBeCloseTo(345e-6, 9);
    expect(parseWrkTime('2.50ms')).toBeCloseTo(0.0025, 9);
    expect(parseWrkTime('1.50m')).toBe(90);
    expect(parseWrkTime('1.00h')).toBe(3600);
    expect(() => parseWrkTime('10 parsecs')).toThrow(/unrecognised/);
    expect(parseWrkSize('512.00B')).toBe(512);
    expect(parseWrkSize('2.00KB')).toBe(2048);
    expect(parseWrkSize('1.00GB')).toBe(1024 ** 3);
    expect(() => parseWrkSize('12 bytes')).toThrow(/unrecognised/);
  });
});

describe('wrk command line', () => {
  const base = { port: 8123, durationSeconds: 10, connections: 100, threads: 1, timeoutSeconds: 5 };

  it('pipelines through the Lua script with depth and path as script arguments', () => {
    expect(wrkArgs({ ...base, path: '/json', pipeline: 24 })).toEqual([
      'wrk', '-t1', '-c100', '-d10s', '--timeout', '5s', '-s', PIPELINE_LUA, 'http://127.0.0.1:8123/json', '--', '24', '/json',
    ]);
  });

  it('runs plain without a script', () => {
    expect(wrkArgs({ ...base, path: '/', pipeline: 1 })).toEqual(['wrk', '-t1', '-c100', '-d10s', '--timeout', '5s', 'http://127.0.0.1:8123/']);
  });

  it("takes the children's line of bash's times", () => {
    expect(parseBashTimes('0m0.004s 0m0.002s\n0m7.250s 0m2.500s\n')).toBeCloseTo(9.75, 6);
    expect(parseBashTimes('0m0.004s 0m0.002s\n1m1.000s 0m0.500s')).toBeCloseTo(61.5, 6);
    expect(() => parseBashTimes('0m0.004s 0m0.002s\n')).toThrow(/unrecognised/);
  });
});
