import { fstatSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FdBudget } from '../../src/static/fd-budget.js';
import { FileStream } from '../../src/static/file-stream.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jato-file-stream-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isOpen = (fd: number): boolean => {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

describe('FileStream', () => {
  it('yields exactly the pieces (ranges never read past their end), then closes and frees its slot', async () => {
    const path = join(dir, 'a.bin');
    writeFileSync(path, Buffer.from('0123456789'.repeat(30_000)));
    const budget = new FdBudget(2);
    expect(budget.tryAcquire()).toBe(true);
    const fd = openSync(path, 'r');
    const s = new FileStream(fd, [Buffer.from('<'), { start: 5, end: 200_004 }, Buffer.from('>')], budget);
    const parts: Buffer[] = [];
    for await (const c of s) parts.push(Buffer.from(c));
    const all = Buffer.concat(parts);
    expect(all.length).toBe(200_002);
    expect(all.subarray(1, 11).toString()).toBe('5678901234');
    expect(all.subarray(-1).toString()).toBe('>');
    expect(isOpen(fd)).toBe(false);
    expect(budget.inUse).toBe(0);
  });

  it('a file that became shorter makes the iteration throw (and closes)', async () => {
    const path = join(dir, 'b.bin');
    writeFileSync(path, Buffer.alloc(300_000, 1));
    const fd = openSync(path, 'r');
    const s = new FileStream(fd, [{ start: 0, end: 299_999 }], null);
    const it = s[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    truncateSync(path, 1000);
    await expect(async () => {
      for (;;) if ((await it.next()).done === true) break;
    }).rejects.toThrow(/shorter/);
    expect(isOpen(fd)).toBe(false);
  });

  it('taken over by a transport: cancel does not close the descriptor; closeFd closes it once; done frees the slot', async () => {
    const path = join(dir, 'c.bin');
    writeFileSync(path, Buffer.alloc(100_000, 2));
    const budget = new FdBudget(1);
    budget.tryAcquire();
    const fd = openSync(path, 'r');
    const s = new FileStream(fd, [{ start: 10, end: 99_999 }], budget);
    const native = s.takeNative()!;
    expect(native).toMatchObject({ fd, start: 10, length: 99_990 });
    expect(s.takeNative()).toBeNull();
    await s.return();
    expect(isOpen(fd)).toBe(true);
    native.closeFd();
    native.closeFd();
    expect(isOpen(fd)).toBe(false);
    native.done();
    expect(budget.inUse).toBe(0);
    expect(new FileStream(openSync(path, 'r'), [Buffer.from('x'), { start: 0, end: 1 }], null).takeNative()).toBeNull();
  });
});
