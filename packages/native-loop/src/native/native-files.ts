import type { FileSendEvents } from '../file-output.js';

/** Bytes of a file row (mirrors FileRow in native/file_sender.hpp). */
const ROW_BYTES = 24;

interface PendingFile {
  seq: number;
  events: FileSendEvents;
}

/**
 * The file bodies the native loop is sending, per connection in the order their rows were written
 * (the loop finishes them in that order: one done notice each, or the connection's close for all).
 */
export class NativeFiles {
  private readonly byConn = new Map<number, PendingFile[]>();

  /** Register a file body; returns its row bytes (a FileRow: fd, reserved, offset, length). */
  add(conn: number, seq: number, fd: number, offset: number, length: number, events: FileSendEvents): Uint8Array {
    if (!Number.isSafeInteger(fd) || fd < 0 || fd > 0x7fffffff) throw new RangeError(`sendFile: invalid fd ${String(fd)}`);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || !Number.isSafeInteger(offset + length)) {
      throw new RangeError(`sendFile: invalid range ${String(offset)}+${String(length)}`);
    }
    let list = this.byConn.get(conn);
    if (list === undefined) this.byConn.set(conn, (list = []));
    list.push({ seq, events });
    const row = new Uint8Array(ROW_BYTES);
    const view = new DataView(row.buffer);
    view.setInt32(0, fd, true);
    view.setFloat64(8, offset, true);
    view.setFloat64(16, length, true);
    return row;
  }

  /** The loop's done notice for the connection's front file body. */
  done(conn: number, ok: boolean): void {
    const list = this.byConn.get(conn);
    const f = list?.shift();
    if (list !== undefined && list.length === 0) this.byConn.delete(conn);
    if (f !== undefined) notify(f, ok);
  }

  /**
   * The connection closed (or its client half-closed): every file body of it is done (not sent).
   * The descriptors are released a turn later, after any row naming them was processed.
   * @returns the sequence numbers to abort (a half-closed connection is kept for its answers)
   */
  lost(conn: number): number[] | undefined {
    const list = this.byConn.get(conn);
    if (list === undefined) return undefined;
    this.byConn.delete(conn);
    setImmediate(() => {
      for (const f of list) notify(f, false);
    });
    return list.map((f) => f.seq);
  }
}

function notify(f: PendingFile, ok: boolean): void {
  try {
    f.events.onDone(ok);
  } catch (error) {
    process.emitWarning(`jato: a file body's onDone threw: ${String(error)}`);
  }
}
