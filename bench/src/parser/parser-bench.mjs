#!/usr/bin/env node
// In-process HTTP/1.1 request parser benchmark (not a test): the native parser through its fast
// binding entry (nativeFrameHeads), the TypeScript parser (createTsParser) and Node's own llhttp
// (the parser behind node:http, driven as node:http drives it) on the same buffers:
//   (a) the seed benchmark's pipelined batch of 24 `GET /` requests, parsed as one read;
//   (b) one browser-like request of about 700 bytes.
// Reports CPU time per request (user+sys of this process, so a busy machine hurts less than with
// wall time), requests/s and GB/s derived from it, median of several interleaved runs.
//
//   node bench/src/parser/parser-bench.mjs [--runs 7] [--ms 300] [--json] [--quick]
// Needs the built package: pnpm --filter @jato/parser run build
import { createRequire } from 'node:module';
import { cpuUsage } from 'node:process';
import { createTsParser } from '@jato/parser';
import { nativeAvailable, nativeFrameHeads } from '@jato/parser/native';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const quick = args.includes('--quick');
const RUNS = opt('runs', quick ? 1 : 7);
const MS = opt('ms', quick ? 30 : 300);

const seedBatch = Buffer.from('GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n'.repeat(24), 'latin1');
const browser = Buffer.from(
  [
    'GET /dashboard/settings?tab=profile HTTP/1.1',
    'Host: localhost:3000',
    'Connection: keep-alive',
    'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
    'sec-ch-ua-mobile: ?0',
    'sec-ch-ua-platform: "Linux"',
    'Upgrade-Insecure-Requests: 1',
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
    'Sec-Fetch-Site: none',
    'Sec-Fetch-Mode: navigate',
    'Sec-Fetch-User: ?1',
    'Sec-Fetch-Dest: document',
    'Accept-Encoding: gzip, deflate, br, zstd',
    'Accept-Language: en-US,en;q=0.9,fr;q=0.8',
    'Cookie: session=3f9a2c1b7d6e4f5a8b9c0d1e2f3a4b5c; theme=dark',
    '',
    '',
  ].join('\r\n'),
  'latin1',
);

const workloads = [
  { name: 'seed batch (24 × GET /)', buf: seedBatch, requests: 24 },
  { name: `browser-like (${browser.length} B)`, buf: browser, requests: 1 },
];

// --- the parsers: each returns a function that parses `buf` once and returns the request count.

function tsParser() {
  const p = createTsParser();
  return (buf) => p.push(buf).requests.length;
}

function nativeParser() {
  return (buf) => nativeFrameHeads(buf);
}

function llhttpParser() {
  const require = createRequire(import.meta.url);
  const { HTTPParser } = require('_http_common');
  const p = new HTTPParser();
  p.initialize(HTTPParser.REQUEST, {}, 16384, HTTPParser.kLenientNone);
  let count = 0;
  // What node:http's parser callbacks receive: method, url and the flat header array.
  p[HTTPParser.kOnHeadersComplete] = () => 0;
  p[HTTPParser.kOnBody] = () => {};
  p[HTTPParser.kOnMessageComplete] = () => {
    count++;
  };
  return (buf) => {
    count = 0;
    const r = p.execute(buf);
    if (typeof r !== 'number') throw r;
    return count;
  };
}

const parsers = [
  ...(nativeAvailable ? [{ name: 'native', make: nativeParser }] : []),
  { name: 'ts', make: tsParser },
  { name: 'llhttp', make: llhttpParser },
];

/** CPU nanoseconds per call of `fn(buf)` over about `ms` milliseconds. */
function measure(fn, buf, ms) {
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn(buf);
    if (Number(process.hrtime.bigint() - t0) > 5e6) break;
    batch *= 2;
  }
  const c0 = cpuUsage();
  const w0 = process.hrtime.bigint();
  let calls = 0;
  while (Number(process.hrtime.bigint() - w0) < ms * 1e6) {
    for (let i = 0; i < batch; i++) fn(buf);
    calls += batch;
  }
  const c = cpuUsage(c0);
  return ((c.user + c.system) * 1000) / calls;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const results = [];
for (const w of workloads) {
  const fns = parsers.map((p) => ({ name: p.name, fn: p.make() }));
  for (const { name, fn } of fns) {
    const n = fn(w.buf);
    if (n !== w.requests) throw new Error(`${name} parsed ${n} requests in "${w.name}", expected ${w.requests}`);
    measure(fn, w.buf, Math.min(MS, 100)); // warm-up
  }
  const samples = new Map(fns.map((f) => [f.name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const { name, fn } of fns) samples.get(name).push(measure(fn, w.buf, MS));
  }
  for (const { name } of fns) {
    const nsPerCall = median(samples.get(name));
    const nsPerRequest = nsPerCall / w.requests;
    results.push({
      workload: w.name,
      parser: name,
      nsPerRequest,
      requestsPerSecond: 1e9 / nsPerRequest,
      gbPerSecond: w.buf.length / nsPerCall,
      runs: samples.get(name).length,
    });
  }
}

if (args.includes('--json')) {
  console.log(JSON.stringify({ node: process.version, runs: RUNS, ms: MS, results }, null, 2));
} else {
  console.log(`parser benchmark, Node ${process.version}, median of ${RUNS} × ${MS} ms, CPU time of this process`);
  console.log('workload                   parser   ns/request   requests/s     GB/s   vs llhttp');
  for (const r of results) {
    const base = results.find((x) => x.workload === r.workload && x.parser === 'llhttp');
    console.log(
      `${r.workload.padEnd(26)} ${r.parser.padEnd(7)} ${r.nsPerRequest.toFixed(1).padStart(11)} ${Math.round(r.requestsPerSecond).toLocaleString('en-US').padStart(12)} ${r.gbPerSecond.toFixed(3).padStart(8)} ${(base.nsPerRequest / r.nsPerRequest).toFixed(2).padStart(9)}×`,
    );
  }
  if (!nativeAvailable) console.log('(native addon not built: native column missing)');
}
