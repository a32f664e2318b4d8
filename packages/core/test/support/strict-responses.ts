/** One response as read by `parseStrict`. */
export interface StrictResponse {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

const STATUS_LINE = /^HTTP\/1\.1 ([1-5][0-9][0-9]) ([\t\x20-\x7E]*)$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7E]*$/;

/**
 * A strict reader of the responses a jato server sends: every head must be ASCII with a
 * well-formed status line, token header names, ASCII values, no Transfer-Encoding and exactly one
 * Content-Length (none for 204/304 and 1xx), and the bytes must hold exactly the responses, nothing
 * after them. Throws with the offending bytes otherwise. `head[i]` marks responses to HEAD requests.
 */
export function parseStrict(bytes: Buffer, head: readonly boolean[]): StrictResponse[] {
  const out: StrictResponse[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', pos, 'latin1');
    if (end < 0) throw new Error(`incomplete or malformed head at ${pos}: ${JSON.stringify(bytes.toString('latin1', pos, pos + 200))}`);
    const headText = bytes.toString('latin1', pos, end);
    if (!/^[\t\r\n\x20-\x7E]*$/.test(headText)) throw new Error(`non-ASCII head: ${JSON.stringify(headText)}`);
    const lines = headText.split('\r\n');
    const m = STATUS_LINE.exec(lines[0]!);
    if (m === null) throw new Error(`malformed status line ${JSON.stringify(lines[0])}`);
    const status = Number(m[1]);
    const headers: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      if (colon <= 0 || !TOKEN.test(name) || !VALUE.test(value) || line.includes('\n') || line.includes('\r')) {
        throw new Error(`malformed header line ${JSON.stringify(line)}`);
      }
      headers.push([name, value]);
    }
    const lengths = headers.filter(([n]) => n.toLowerCase() === 'content-length');
    if (headers.some(([n]) => n.toLowerCase() === 'transfer-encoding')) throw new Error('unexpected Transfer-Encoding');
    const bodyless = status === 204 || status === 304 || status < 200;
    if (bodyless ? lengths.length !== 0 : lengths.length !== 1) throw new Error(`${lengths.length} Content-Length lines in a ${status}`);
    const len = bodyless ? 0 : Number(lengths[0]![1]);
    if (!Number.isInteger(len) || len < 0 || !/^[0-9]+$/.test(bodyless ? '0' : lengths[0]![1])) throw new Error('bad Content-Length');
    const bodyStart = end + 4;
    const bodyLen = head[out.length] === true ? 0 : len;
    if (bodyStart + bodyLen > bytes.length) throw new Error(`truncated body of response ${out.length}`);
    out.push({ status, reason: m[2]!, headers, body: bytes.subarray(bodyStart, bodyStart + bodyLen) });
    pos = bodyStart + bodyLen;
  }
  return out;
}
