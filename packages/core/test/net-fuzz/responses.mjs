// Strict parsing of the fuzz server's responses and the check that each request that got an answer
// got exactly one, in order.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Statuses the transport itself answers malformed or unfinished input with (then closes). */
const TRANSPORT_ERRORS = new Set([400, 408, 413, 414, 431, 501, 505]);

/**
 * Parses complete responses from `buf` strictly: `HTTP/1.1 <3 digits> <reason>` CRLF, token names,
 * no CR/LF in values, exactly one Content-Length on every final response, no Transfer-Encoding.
 * Returns `{ responses, rest }` (rest: bytes of an incomplete response) or throws on a malformed one.
 */
export function parseStrict(buf) {
  const responses = [];
  let pos = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', pos, 'latin1');
    if (end < 0) break;
    const lines = buf.toString('latin1', pos, end).split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) ([\t -~]*)$/.exec(lines[0]);
    if (m === null) throw new Error(`bad status line ${JSON.stringify(lines[0].slice(0, 80))}`);
    const status = Number(m[1]);
    const headers = new Map();
    for (const line of lines.slice(1)) {
      const c = line.indexOf(':');
      const name = c > 0 ? line.slice(0, c) : '';
      if (!TOKEN.test(name) || /[\r\n\0]/.test(line)) throw new Error(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
      const key = name.toLowerCase();
      if (headers.has(key) && (key === 'content-length' || key === 'connection')) throw new Error(`duplicate ${name}`);
      headers.set(key, line.slice(c + 1).trim());
    }
    if (status < 200) {
      if (status !== 100 || headers.size !== 0) throw new Error(`unexpected interim response ${status}`);
      responses.push({ status, headers, body: '' });
      pos = end + 4;
      continue;
    }
    if (headers.has('transfer-encoding')) throw new Error('unexpected Transfer-Encoding');
    const cl = headers.get('content-length');
    if (cl === undefined || !/^\d+$/.test(cl)) throw new Error(`status ${status} without a valid Content-Length`);
    const bodyEnd = end + 4 + Number(cl);
    if (bodyEnd > buf.length) break;
    responses.push({ status, headers, body: buf.toString('latin1', end + 4, bodyEnd) });
    pos = bodyEnd;
  }
  return { responses, rest: buf.length - pos };
}

/** The id an answer names (`<id>`, `<id>:<n>` or `{"id":"<id>"}`), or undefined. */
function idOf(body) {
  const json = /^\{"id":"([^"]*)"\}$/.exec(body);
  if (json !== null) return json[1];
  const m = /^([^:]*)(:\d+)?$/.exec(body);
  return m === null ? undefined : m[1];
}

/**
 * Checks the answers of one connection. `requests` as sent (`mutatedAt`: index of the first mutated
 * request or Infinity); `complete`: every request must be answered (no mutation, nothing cut).
 * Returns a list of problems (empty when fine) and the count of verified answers.
 */
export function verify({ requests, mutatedAt, complete, responses, serverEnded }) {
  const problems = [];
  const finals = responses.filter((r) => r.status >= 200);
  if (!requests.some((r) => r.expectContinue) && finals.length !== responses.length) {
    problems.push('100 Continue without an Expect: 100-continue request');
  }
  const byId = new Map(requests.map((r, j) => [r.id, j]));
  let last = -1;
  let verified = 0;
  for (let k = 0; k < finals.length; k++) {
    const res = finals[k];
    const isLast = k === finals.length - 1;
    const closes = /(^|,)\s*close\s*(,|$)/i.test(res.headers.get('connection') ?? '');
    if (closes && !isLast) problems.push(`answer ${k} says Connection: close but more answers follow`);
    if (TRANSPORT_ERRORS.has(res.status) && closes) {
      // the transport's own answer to malformed or unfinished input (an app's 400 keeps the connection)
      if (mutatedAt === Infinity && complete) problems.push(`transport error ${res.status} to valid input`);
      continue;
    }
    const j = byId.get(idOf(res.body));
    if (j === undefined) {
      // only a mutated request may get an answer naming no request we sent (e.g. a 404)
      if (last + 1 < mutatedAt) problems.push(`answer ${k} (${res.status} ${JSON.stringify(res.body.slice(0, 40))}) names no request; request ${last + 1} was owed`);
      continue;
    }
    if (j <= last) {
      problems.push(`answer ${k} is for request ${j} after an answer for request ${last}: twice or out of order`);
      continue;
    }
    if (j < mutatedAt && j !== last + 1) problems.push(`request ${last + 1} was skipped (answer ${k} is for request ${j})`);
    const want = requests[j];
    if (j !== mutatedAt && (res.status !== want.status || res.body !== want.body)) {
      problems.push(`request ${j}: got ${res.status} ${JSON.stringify(res.body.slice(0, 60))}, want ${want.status} ${JSON.stringify(want.body.slice(0, 60))}`);
    }
    last = j;
    verified++;
  }
  if (complete && problems.length === 0) {
    const owed = requests.length;
    if (finals.length !== owed) problems.push(`${finals.length} answers to ${owed} requests`);
    if (owed > 0 && requests.findIndex((r) => r.closes) === owed - 1 && !serverEnded) {
      problems.push('the server kept the connection open after Connection: close');
    }
  }
  return { problems, verified };
}
