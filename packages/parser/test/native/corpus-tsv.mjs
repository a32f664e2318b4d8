// Converts the shared corpus (test/corpus/*.json, format in test/corpus/FORMAT.md) into the line format
// the C++ unit tests read, one case per line:
//   name <TAB> error code | "-" (no error) | "*" (an error without a code) <TAB> requests expected
//   <TAB> maxHeadBytes <TAB> maxHeaders <TAB> maxBodyBytes <TAB> hex of the raw bytes
// Returns null when there is no corpus.
import fs from 'node:fs';
import path from 'node:path';
// the defaults of a case without `limits` are the package's own (built before test:native runs)
import { resolveLimits } from '../../dist/index.js';

/** A corpus byte string: latin1 text, or parts of text and `{ repeat, count }` runs. */
function bytesOf(spec) {
  if (typeof spec === 'string') return Buffer.from(spec, 'latin1');
  return Buffer.concat(spec.map((p) => Buffer.from(typeof p === 'string' ? p : p.repeat.repeat(p.count), 'latin1')));
}

export function corpusToTsv(dir) {
  if (!fs.existsSync(dir)) return null;
  const lines = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const c of data.cases ?? []) {
      const err = c.expect.error === undefined ? '-' : (c.expect.error.code ?? '*');
      const l = resolveLimits(c.limits);
      lines.push([
        `${file}#${String(c.name).replace(/[\t\n]/g, ' ')}`, err, c.expect.requests.length,
        l.maxHeadBytes, l.maxHeaders, l.maxBodyBytes, bytesOf(c.raw).toString('hex'),
      ].join('\t'));
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : null;
}
