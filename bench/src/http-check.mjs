// @ts-check
/**
 * Correctness checks run against every server before it is measured: a plain GET through node:http
 * and the same request pipelined DEPTH times in one write over a raw socket, each response framed by
 * Content-Length or chunked encoding. A server that answers wrongly is not measured.
 */
import http from 'node:http';
import net from 'node:net';

/**
 * One HTTP response as read off the wire.
 * @typedef {{ status: number, headers: Record<string, string>, body: Buffer }} RawResponse
 */

/**
 * What a path must answer: exact text, or JSON deep-equal to a value.
 * @typedef {{ kind: 'text', body: string } | { kind: 'json', value: unknown }} Expectation
 */

/**
 * Reads as many complete responses as `buf` holds, from offset 0.
 * @param {Buffer} buf
 * @returns {{ responses: RawResponse[], consumed: number }}
 */
export function parseResponses(buf) {
  /** @type {RawResponse[]} */
  const responses = [];
  let pos = 0;
  for (;;) {
    const headEnd = buf.indexOf('\r\n\r\n', pos, 'latin1');
    if (headEnd < 0) break;
    const lines = buf.toString('latin1', pos, headEnd).split('\r\n');
    const statusLine = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!statusLine) throw new Error(`malformed status line: ${JSON.stringify(lines[0])}`);
    /** @type {Record<string, string>} */
    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let bodyStart = headEnd + 4;
    /** @type {Buffer | undefined} */
    let body;
    let end = bodyStart;
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      /** @type {Buffer[]} */
      const parts = [];
      let p = bodyStart;
      let done = false;
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', p, 'latin1');
        if (lineEnd < 0) break;
        const size = parseInt(buf.toString('latin1', p, lineEnd).split(';')[0] ?? '', 16);
        if (!Number.isFinite(size)) throw new Error('malformed chunk size');
        if (size === 0) {
          const trailerEnd = buf.indexOf('\r\n', lineEnd + 2, 'latin1');
          if (trailerEnd < 0) break;
          end = trailerEnd + 2;
          done = true;
          break;
        }
        if (buf.length < lineEnd + 2 + size + 2) break;
        parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        p = lineEnd + 2 + size + 2;
      }
      if (!done) break;
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers['content-length'] ?? '0');
      if (!Number.isInteger(length) || length < 0) throw new Error(`bad content-length ${headers['content-length']}`);
      if (buf.length < bodyStart + length) break;
      body = buf.subarray(bodyStart, bodyStart + length);
      end = bodyStart + length;
    }
    responses.push({ status: Number(statusLine[1]), headers, body: Buffer.from(body) });
    pos = end;
  }
  return { responses, consumed: pos };
}

/**
 * One GET through node:http (no keep-alive agent).
 * @param {number} port
 * @param {string} path
 * @param {number} [timeoutMs]
 * @returns {Promise<RawResponse>}
 */
export function httpGet(port, path, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        /** @type {Record<string, string>} */
        const headers = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from port ${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/**
 * Writes `depth` GET requests for `path` in ONE write (the same bytes as lua/pipeline.lua) and reads
 * until `depth` responses are framed.
 * @param {number} port
 * @param {string} path
 * @param {number} depth
 * @param {number} [timeoutMs]
 * @returns {Promise<RawResponse[]>}
 */
export function pipelinedGet(port, path, depth, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (/** @type {Error | undefined} */ err, /** @type {RawResponse[]} */ value = []) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new Error(`only part of ${depth} pipelined responses from port ${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('connect', () => sock.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`.repeat(depth)));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        const { responses } = parseResponses(buf);
        if (responses.length >= depth) finish(undefined, responses.slice(0, depth));
      } catch (e) {
        finish(/** @type {Error} */ (e));
      }
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error(`connection closed before ${depth} pipelined responses (port ${port})`)));
  });
}

/**
 * Why a response does not meet its expectation, or undefined when it does.
 * @param {RawResponse} res
 * @param {Expectation} expect
 * @returns {string | undefined}
 */
export function mismatch(res, expect) {
  if (res.status !== 200) return `status ${res.status}, expected 200`;
  const text = res.body.toString('utf8');
  if (expect.kind === 'text') {
    return text === expect.body ? undefined : `body ${JSON.stringify(text.slice(0, 80))}, expected ${JSON.stringify(expect.body)}`;
  }
  try {
    const got = JSON.parse(text);
    return JSON.stringify(got) === JSON.stringify(expect.value)
      ? undefined
      : `JSON ${JSON.stringify(got)}, expected ${JSON.stringify(expect.value)}`;
  } catch {
    return `body is not JSON: ${JSON.stringify(text.slice(0, 80))}`;
  }
}

/**
 * Checks a path both ways; throws an Error naming what was wrong.
 * @param {number} port
 * @param {string} path
 * @param {Expectation} expect
 * @param {number} depth pipelined requests in one write
 * @returns {Promise<void>}
 */
export async function checkAnswer(port, path, expect, depth) {
  const one = await httpGet(port, path);
  const bad = mismatch(one, expect);
  if (bad) throw new Error(`GET ${path}: ${bad}`);
  const many = await pipelinedGet(port, path, depth);
  many.forEach((res, i) => {
    const why = mismatch(res, expect);
    if (why) throw new Error(`GET ${path} pipelined ×${depth}, response ${i + 1}: ${why}`);
  });
}
