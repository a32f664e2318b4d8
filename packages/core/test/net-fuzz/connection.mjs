// One fuzzed connection: valid pipelined requests (some mutated), written in seeded pieces, closed
// in a seeded way (answers read to the end, FIN after everything, FIN mid-request, RST), answers
// checked strictly. Every wait is bounded.
import net from 'node:net';
import { int, pick, prng } from './prng.mjs';
import { closesAfter, makeRequest, mutate } from './requests.mjs';
import { parseStrict, verify } from './responses.mjs';

/** Longest a connection that owes answers may take (a stall this long is a failure). */
const STALL_MS = 20_000;
/** After the last write, how long a connection with mutated input waits for more answers. */
const QUIET_MS = 1_000;
/** How long a closing client waits for the server to close its side. */
const CLOSE_WAIT_MS = 3_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the connection of `seed` against 127.0.0.1:`port`. Resolves with
 * `{ mode, requests, verified, problems }`; never rejects.
 */
export async function fuzzConnection(port, seed) {
  const rand = prng(seed);
  const count = 1 + int(rand, 24);
  const tag = String(seed % 100000);
  const requests = [];
  for (let i = 0; i < count; i++) {
    const r = makeRequest(rand, i, tag, i === count - 1);
    r.closes = closesAfter(r);
    requests.push(r);
    if (r.closes) break;
  }
  const parts = requests.map((r) => Buffer.from(r.bytes, 'latin1'));
  let bytes = Buffer.concat(parts);
  let mutatedAt = Infinity;
  if (rand() < 0.3) {
    mutatedAt = int(rand, requests.length);
    let from = 0;
    for (let i = 0; i < mutatedAt; i++) from += parts[i].length;
    bytes = mutate(rand, bytes, from, from + parts[mutatedAt].length);
  }
  const mode = pick(rand, ['read', 'read', 'read', 'fin-after', 'fin-mid', 'rst', 'rst-mid']);
  // where a cutting mode stops writing: anywhere in the stream
  const cutAt = mode === 'fin-mid' || mode === 'rst-mid' ? int(rand, bytes.length + 1) : bytes.length;
  const cuts = Array.from({ length: int(rand, 7) }, () => int(rand, cutAt + 1)).sort((a, b) => a - b);
  const pauses = cuts.map(() => (rand() < 0.5 ? int(rand, 4) : -1));
  const rstAfter = int(rand, requests.length + 1);

  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.setNoDelay(true);
  let received = Buffer.alloc(0);
  let serverEnded = false;
  let lastData = Date.now();
  let wake = () => {};
  socket.on('data', (d) => {
    received = Buffer.concat([received, d]);
    lastData = Date.now();
    wake();
  });
  const ended = () => {
    serverEnded = true;
    wake();
  };
  socket.on('end', ended);
  socket.on('close', ended);
  socket.on('error', ended);
  const problems = [];
  let closedByServer = false;
  let parsed = { responses: [], rest: 0 };
  const parse = () => {
    try {
      parsed = parseStrict(received);
    } catch (e) {
      problems.push(`malformed response: ${e.message}`);
    }
  };
  /** Waits until `done()` or `ms` pass; returns whether done. */
  const until = async (done, ms) => {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return true;
  };

  const connected = await until(() => socket.connecting === false || serverEnded, STALL_MS);
  if (!connected || socket.destroyed) {
    socket.destroy();
    return { mode, requests: requests.length, verified: 0, problems: ['could not connect'] };
  }
  // write the stream (up to the cut) in seeded pieces, with seeded pauses between them
  let at = 0;
  for (let p = 0; p <= cuts.length && !serverEnded; p++) {
    const to = p < cuts.length ? cuts[p] : cutAt;
    if (to > at) {
      socket.write(bytes.subarray(at, to));
      at = to;
    }
    const pause = pauses[p] ?? -1;
    if (pause === 0) await new Promise(setImmediate);
    else if (pause > 0) await sleep(pause);
  }
  const finals = () => parsed.responses.filter((r) => r.status >= 200).length;
  const complete = mutatedAt === Infinity && (mode === 'read' || mode === 'fin-after');
  if (mode === 'rst' || mode === 'rst-mid') {
    // reset once a seeded number of answers arrived (or a short while passed)
    await until(() => {
      parse();
      return finals() >= rstAfter || serverEnded;
    }, 200 + int(rand, 300));
    parse();
    socket.resetAndDestroy();
  } else if (mode === 'fin-mid') {
    socket.end();
    await until(() => serverEnded, CLOSE_WAIT_MS);
    parse();
    socket.destroy();
  } else {
    if (mode === 'fin-after') socket.end();
    if (complete) {
      const all = await until(() => {
        parse();
        return finals() >= requests.length || serverEnded || problems.length > 0;
      }, STALL_MS);
      if (!all) problems.push(`stalled: ${finals()} of ${requests.length} answers after ${STALL_MS} ms`);
    } else {
      // mutated: read until the server ends, every request is answered or it stays quiet
      await until(() => {
        parse();
        return finals() >= requests.length || serverEnded || problems.length > 0 || Date.now() - lastData > QUIET_MS;
      }, STALL_MS);
    }
    // after `Connection: close` the server must close by itself (a bounded wait: a failure if not)
    if (requests[requests.length - 1].closes && complete) await until(() => serverEnded, STALL_MS);
    closedByServer = serverEnded;
    socket.end();
    await until(() => serverEnded, CLOSE_WAIT_MS);
    parse();
    socket.destroy();
  }
  if (complete && parsed.rest > 0) problems.push(`${parsed.rest} bytes after the last complete answer`);
  const v = verify({ requests, mutatedAt, complete, responses: parsed.responses, serverEnded: closedByServer });
  problems.push(...v.problems);
  if (problems.length > 0 && process.env.JATO_NET_FUZZ_DEBUG === '1') {
    console.error(`seed ${seed} ${mode}: sent ${JSON.stringify(bytes.subarray(0, cutAt).toString('latin1'))}`);
    console.error(`seed ${seed}: received ${JSON.stringify(received.toString('latin1'))}`);
  }
  return { mode, requests: requests.length, verified: v.verified, problems };
}
