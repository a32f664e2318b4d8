import { NUMBERED, type NumberedLine, SHARED } from '../middleware/fast-step.js';

/**
 * Splits the headers recorded for a text response (see `recordHeader`) into a cached head prefix —
 * the encoder's prefix plus the recorded lines marked SHARED (constants of their middleware, such as
 * `Vary: Origin`) — and the request's own lines. The prefix is the same string object as long as the
 * encoder's prefix and the shared lines are the same objects (compared by identity, in order), so a
 * transport can recognise it without comparing its content; it is rebuilt (one flat string) when they
 * change. Header lines are validated where they are recorded. @internal
 */
export class SharedLines {
  private prefix: string | null = null;
  private parts: string[] = [];
  private head = '';
  /** The request's own lines of the last `split` ('' when all were shared). */
  own = '';
  /**
   * The last own line of the last `split` when it is NUMBERED (not rendered into `own`: it follows
   * it, as `${numbered.start}${num}\r\n`), else null.
   */
  numbered: NumberedLine | null = null;
  num = 0;

  /**
   * The head prefix with the shared recorded lines, or null when two recorded lines have the same
   * name (then the caller applies them to a Response, which decides).
   */
  split(prefix: string, ops: readonly unknown[]): string | null {
    const end = (ops[0] as number) + 1;
    const parts = this.parts;
    let same = prefix === this.prefix;
    let shared = 0;
    let own = '';
    let numbered: NumberedLine | null = null;
    let num = 0;
    for (let k = 1; k < end; k += 5) {
      const key = ops[k + 2];
      for (let j = 1; j < k; j += 5) if (ops[j + 2] === key) return null;
      const op = ops[k] as number;
      if ((op & SHARED) !== 0) {
        if (same && (shared >= parts.length || parts[shared] !== ops[k + 4])) same = false;
        shared++;
        continue;
      }
      // a numbered line is left unrendered while it is the last own line
      if (numbered !== null) {
        own += `${numbered.start}${num}\r\n`;
        numbered = null;
      }
      if ((op & NUMBERED) !== 0) {
        numbered = ops[k + 4] as NumberedLine;
        num = ops[k + 3] as number;
      } else own += ops[k + 4] as string;
    }
    this.own = own;
    this.numbered = numbered;
    this.num = num;
    if (same && shared === parts.length) return this.head;
    return this.rebuild(prefix, ops, end);
  }

  private rebuild(prefix: string, ops: readonly unknown[], end: number): string {
    const parts: string[] = [];
    for (let k = 1; k < end; k += 5) if (((ops[k] as number) & SHARED) !== 0) parts.push(ops[k + 4] as string);
    this.prefix = prefix;
    this.parts = parts;
    // one flat string: the transport copies it without walking a tree of concatenations
    this.head = [prefix, ...parts].join('');
    return this.head;
  }
}
