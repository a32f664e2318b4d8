// Valid pipelined requests for the network fuzzer, each numbered through its path, and seeded
// mutations of their bytes. Every request knows the exact answer the fuzz server owes it.
import { int, pick } from './prng.mjs';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const text = (rand, n) => Array.from({ length: n }, () => LETTERS[int(rand, LETTERS.length)]).join('');

/** Extra header lines of a request (0–3 of them, varied shapes). */
function extraHeaders(rand) {
  let s = '';
  for (let k = int(rand, 4); k > 0; k--) {
    s += pick(rand, [
      () => `X-Pad-${int(rand, 100)}: ${text(rand, int(rand, 40))}\r\n`,
      () => `Accept: */*\r\n`,
      () => `User-Agent: fuzz/${int(rand, 9)}\r\n`,
      () => `Cookie: a=${text(rand, 8)}; b=${text(rand, 3)}\r\n`,
      () => `X-Empty:\r\n`,
      () => `X-Tabs:\t${text(rand, 5)} \t\r\n`,
    ])();
  }
  return s;
}

/**
 * The request of index `i` on a connection: `{ id, bytes, status, body, expectContinue }` where
 * `status`/`body` are the answer the server must send. `last` adds `Connection: close` sometimes.
 */
export function makeRequest(rand, i, tag, last) {
  // the check digits differ per request: no single mutation turns one request's id into another's
  const id = `${i}-${tag}-${text(rand, 4)}`;
  const close = last && rand() < 0.25 ? 'Connection: close\r\n' : '';
  const h = `Host: fuzz\r\n${extraHeaders(rand)}${close}`;
  const kind = int(rand, 9);
  switch (kind) {
    case 0:
      return { id, bytes: `GET /async-seq/${id} HTTP/1.1\r\n${h}\r\n`, status: 200, body: id };
    case 1:
      return { id, bytes: `GET /json-seq/${id} HTTP/1.1\r\n${h}\r\n`, status: 200, body: JSON.stringify({ id }) };
    case 2: {
      const data = text(rand, int(rand, 3000));
      const bytes = `POST /echo-seq/${id} HTTP/1.1\r\n${h}Content-Length: ${data.length}\r\n\r\n${data}`;
      return { id, bytes, status: 200, body: `${id}:${data.length}` };
    }
    case 3: {
      let chunks = '';
      let total = 0;
      for (let c = 1 + int(rand, 4); c > 0; c--) {
        const data = text(rand, 1 + int(rand, 500));
        total += data.length;
        chunks += `${data.length.toString(16)}${rand() < 0.2 ? ';ext=1' : ''}\r\n${data}\r\n`;
      }
      const trailer = rand() < 0.3 ? 'X-Trailer: t\r\n' : '';
      const bytes = `POST /async-seq/${id} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\n${chunks}0\r\n${trailer}\r\n`;
      return { id, bytes, status: 200, body: `${id}:${total}` };
    }
    case 4:
      return { id, bytes: `GET /throw-seq/${id} HTTP/1.1\r\n${h}\r\n`, status: 409, body: id };
    case 5:
      return { id, bytes: `GET /reject-seq/${id} HTTP/1.1\r\n${h}\r\n`, status: 409, body: id };
    case 6: {
      const keep = close === '' ? 'Connection: keep-alive\r\n' : '';
      return { id, bytes: `GET /echo-seq/${id} HTTP/1.0\r\n${keep}${extraHeaders(rand)}\r\n`, status: 200, body: id };
    }
    case 7: {
      const data = text(rand, 1 + int(rand, 200));
      const bytes = `POST /echo-seq/${id} HTTP/1.1\r\n${h}Expect: 100-continue\r\nContent-Length: ${data.length}\r\n\r\n${data}`;
      return { id, bytes, status: 200, body: `${id}:${data.length}`, expectContinue: true };
    }
    default:
      return { id, bytes: `GET /echo-seq/${id} HTTP/1.1\r\n${h}\r\n`, status: 200, body: id };
  }
}

/** Does request `r` ask to close the connection after its answer? */
export const closesAfter = (r) => /\r\nConnection: close\r\n/.test(r.bytes) || (r.bytes.includes(' HTTP/1.0\r\n') && !/\r\nConnection: keep-alive\r\n/.test(r.bytes));

const INSERTS = [0x0d, 0x0a, 0x3a, 0x20, 0x30, 0x66, 0x00, 0x09, 0x7f, 0xff];

/**
 * Mutates bytes [from, to) of `buf` (one request) in place or by splicing: byte flips, insertions,
 * deletions, duplications or truncation of the rest of the stream. Returns the new buffer.
 */
export function mutate(rand, buf, from, to) {
  const b = [...buf];
  const edits = 1 + int(rand, 4);
  let end = to;
  for (let e = 0; e < edits; e++) {
    const at = from + int(rand, Math.max(1, end - from));
    const op = rand();
    if (op < 0.35) b[at] = int(rand, 256);
    else if (op < 0.55) {
      const ins = Array.from({ length: 1 + int(rand, 3) }, () => pick(rand, INSERTS));
      b.splice(at, 0, ...ins);
      end += ins.length;
    } else if (op < 0.75) {
      const n = 1 + int(rand, 8);
      b.splice(at, n);
      end = Math.max(from, end - n);
    } else if (op < 0.92) {
      const dup = b.slice(at, at + int(rand, 40));
      b.splice(at, 0, ...dup);
      end += dup.length;
    } else {
      b.length = at;
      break;
    }
  }
  return Buffer.from(b);
}
