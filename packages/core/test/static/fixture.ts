import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

/** A temporary tree of real files for the static tests (and a secret file outside its root). */
export interface StaticFixture {
  /** The directory holding `root` and `outside`. */
  base: string;
  /** The served root. */
  root: string;
  /** A file outside the root whose content must never be served. */
  secret: string;
  /** The secret's content. */
  secretText: string;
  /** `big.bin` content (100 KiB, bytes i & 0xff). */
  big: Buffer;
  cleanup(): void;
}

/** The mtime of every fixture file: Sun, 06 Nov 1994 08:49:37 GMT. */
export const MTIME = 784111777;

export function makeFixture(): StaticFixture {
  const base = mkdtempSync(join(tmpdir(), 'jato-static-'));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  const secretText = 'TOP-SECRET-OUTSIDE-ROOT';
  const secret = join(outside, 'secret.txt');
  writeFileSync(secret, secretText);
  writeFileSync(join(base, 'secret.txt'), secretText);
  const big = Buffer.alloc(100 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  const files: Record<string, string | Buffer> = {
    'hello.txt': 'hello world',
    'index.html': '<h1>home</h1>',
    'app.js': 'console.log("app");'.repeat(10),
    'data.json': '{"a":1}',
    'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    'big.bin': big,
    'empty.txt': '',
    '.env': 'SECRET=1',
    '.hidden/file.txt': 'hidden',
    'docs/index.html': '<h1>docs</h1>',
    'docs/guide.txt': 'guide',
    'noindex/a.txt': 'a',
    'unknown.zzqx': 'x',
    'caf\u00e9.txt': 'cafe',
    '%2e%2e/x.txt': 'literal percent dir',
  };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  writeFileSync(join(root, 'app.js.br'), brotliCompressSync(files['app.js']!));
  writeFileSync(join(root, 'app.js.gz'), gzipSync(files['app.js']!));
  symlinkSync(secret, join(root, 'link-out.txt'));
  symlinkSync(outside, join(root, 'dir-out'));
  symlinkSync(join(root, 'hello.txt'), join(root, 'link-in.txt'));
  symlinkSync(join(root, '.env'), join(root, 'env-link'));
  for (const name of [...Object.keys(files), 'app.js.br', 'app.js.gz']) utimesSync(join(root, name), MTIME, MTIME);
  return { base, root, secret, secretText, big, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
