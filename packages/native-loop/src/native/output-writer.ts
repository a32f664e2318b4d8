import type { NumberedHead, Responder, WsAcceptOptions, WsSendOpcode } from '../types.js';
import * as ws from './ws-writer.js';
import type { ResponseStream, ResponseStreamEvents } from '../stream-output.js';
import { NativeOutStream } from './native-out-stream.js';
import { type FastBuffer, allocFast } from './buffer-internals.js';
import { OUT_LENT_OFF, OutCol, OutFlag } from './layout.js';
import { NativeFiles } from './native-files.js';
import { RepeatBytes, writeDecimal } from './repeat-bytes.js';
import type { FileSendEvents } from '../file-output.js';

/** The part of the native server the writer talks to. */
export interface OutputSink {
  setOutput(arena: Uint8Array, table: Uint32Array): void;
  flush(rows: number, lent?: readonly Uint8Array[]): void;
  /** Unsent bytes of a WebSocket connection (-1: gone). */
  wsBuffered?(conn: number): number;
}

const INITIAL_ARENA = 1 << 20;
const INITIAL_ROWS = 4096;
/** Pending text is written to the arena once it passes this many chars. */
const TEXT_CHUNK = 16 * 1024;
const CRLF = '\r\n';
/**
 * A streamed chunk of at least this many bytes is not copied into the arena: the loop writes it from
 * the chunk's own memory during a flush made at once (copying only what the socket does not take).
 * Smaller ones are copied and gathered with the tick's other rows: a producer that yields several
 * chunks per tick (an `async function*` of 64 KiB buffers) then costs one write of up to GATHER_MAX
 * instead of one per chunk — measured on loopback, sixteen 64 KiB writes cost the kernel more per
 * MiB than the copy costs (bench/scripts/stream-syscalls.sh, the c-floor-64k server).
 */
export const LEND_MIN = 256 * 1024;
/**
 * Outside a batch, streamed chunks gathered in the arena are flushed at once when the next one would
 * take the tick's pending bytes over this (the arena stays bounded; one write of up to this size).
 * Streams of several connections producing in the same tick interleave their chunks in the arena
 * (and their terminators come after every one's last chunk): a flush at this bound splits the output
 * of each of them into two writes (and sends a drain notice for a stream whose end had not come
 * yet), so it holds several 1 MiB turns (the high-water mark): at 2 MiB most turns of eight busy
 * connections were split, at 4 MiB every turn of four; at 8 MiB a turn of seven is one write each.
 * The arena keeps the size it grew to (at most this plus one chunk under LEND_MIN).
 */
export const GATHER_MAX = 8 * 1024 * 1024;
/**
 * A handed-over chunk (`writeFramed(..., true)`: its producer never modifies it after handing it
 * over) of at least this many bytes is not copied: its row points at it and it is lent to the loop
 * with the tick's flush (one writev per connection: the framing from the arena and the chunks from
 * their own memory); smaller ones are copied (a copy of a few KiB costs less than a lent piece).
 */
export const REF_MIN = 8 * 1024;
/** Room before a chunk's text for its size line (hex of up to 2^32 - 1 bytes, CRLF). */
const CHUNK_ROOM = 10;

/** Writes a chunk's suffix (CRLF, or none when it is the whole body) at `at`; returns its length. */
function writeSuffix(a: FastBuffer, at: number, suffix: string): number {
  if (suffix === CRLF) {
    a[at] = 13;
    a[at + 1] = 10;
    return 2;
  }
  return suffix === '' ? 0 : a.utf8Write(suffix, at);
}

/**
 * The native transport's Responder. Responses go into a shared output arena plus one table row
 * (conn, seq, offset, length, flags) each; string responses of a batch are concatenated and written
 * with ONE utf8 write when the batch ends. During a batch the loop picks the rows up when `onBatch`
 * returns; outside a batch (async completions) they are flushed once per tick with one native call.
 */
export class OutputWriter implements Responder {
  /** True while the loop is inside a batch call (rows are returned to it, not flushed). */
  inBatch = false;
  /** Unsent bytes per connection above which a stream's `write` returns false. */
  highWaterMark = 1 << 20;
  /** Set by the server: JS consumed streamed request-body bytes (see stream-input.ts). */
  bodyRead?: (conn: number, seq: number, bytes: number, borrowed?: boolean) => void;
  /** Open streamed responses by connection. */
  private streams: Map<number, Set<NativeOutStream>> | undefined;
  /** File bodies the loop is sending, by connection (native-files.ts). */
  private files: NativeFiles | undefined;
  private arena: FastBuffer = allocFast(INITIAL_ARENA);
  private table = new Uint32Array(INITIAL_ROWS * OutCol.Count);
  private rows = 0;
  /** Bytes of the arena already used. */
  private pos = 0;
  /** Text of the rows [textRow, rows), not yet written: their offsets are char offsets into it. */
  private text = '';
  private textRow = 0;
  private scheduled = false;
  private sink: OutputSink | undefined;
  /** The previous string response (head, body) and its row: an equal response reuses its bytes. */
  private lastHead: string | undefined;
  private lastBody: string | null = null;
  private lastRow = -1;
  /** The shared head part, body and numbered line start of `respondLines`, kept as bytes when repeated. */
  private readonly headBytes = new RepeatBytes();
  private readonly bodyBytes = new RepeatBytes();
  private readonly numberedBytes = new RepeatBytes();
  /** The shared head part and the numbered line start of a response without other own lines, as one run. */
  private readonly numberedHeadBytes = new RepeatBytes();
  /** The prefix of a streamed chunk written with `framedRows` (its chunk size line), kept when repeated. */
  private readonly prefixBytes = new RepeatBytes();
  /**
   * The template of numbered rows written in this arena (head, numbered start, body by identity):
   * its offset, length and split (the digits' place). `numHead` undefined: none yet (reset per flush).
   */
  private numHead: string | undefined;
  /** The `respondNumbered` head the template was written for (null: written for `respondLines`'s strings). */
  private numTpl: NumberedHead | null = null;
  private numStart = '';
  private numBody: string | null = null;
  private numOff = 0;
  private numLen = 0;
  private numSplit = 0;
  /** The previous `respondLines` of the batch without lines of its own, and its bytes. */
  private bareHead: string | undefined;
  private bareBody: string | null = null;
  private bareOff = 0;
  private bareLen = 0;

  /** Attach to the native server (hands it the output memory). */
  attach(sink: OutputSink): void {
    this.sink = sink;
    sink.setOutput(this.arena, this.table);
  }

  respond(conn: number, seq: number, head: string, body: string | Uint8Array | null, close: boolean): void {
    this.put(conn, seq, head, body, close ? OutFlag.Close : 0);
  }

  /**
   * A response whose head is a shared part plus its own lines (see `Responder.respondLines`),
   * written straight into the arena. The shared part, the body and the numbered line's start are
   * recognised by identity with what was written before (a cached prefix is the same string
   * object): their kept bytes are copied, not encoded again (`RepeatBytes`); the lines are written
   * as they are and never compared. The number is written as digits: valid by construction.
   */
  respondLines(
    conn: number, seq: number, head: string, lines: string, body: string | Uint8Array | null, close: boolean,
    numbered: string | null = null, num = 0,
  ): void {
    const flags = close ? OutFlag.Close : 0;
    if (body !== null && typeof body !== 'string') {
      this.put(conn, seq, head + lines + (numbered === null ? '' : `${numbered}${num}\r\n`) + CRLF, body, flags);
      return;
    }
    if (numbered !== null && lines.length === 0 && num <= 0xffffffff) {
      this.numberedRow(conn, seq, head, numbered, body, num, flags);
      return;
    }
    if (lines.length === 0 && numbered === null && head === this.bareHead && body === this.bareBody) {
      // the same bytes as the previous such response of the batch: point at them, copy nothing
      this.row(conn, seq, this.bareOff, this.bareLen, flags);
      return;
    }
    if (this.text.length !== 0) this.writeText(); // rows of pending text come first (their offsets are relative to it)
    const bodyChars = body === null ? 0 : body.length;
    const extra = numbered === null ? 0 : numbered.length + 18; // 16 digits (a safe integer) and CRLF
    const need = this.pos + head.length + lines.length + extra + 2 + bodyChars * 3;
    if (need > this.arena.length) this.growArena(need);
    const a = this.arena;
    const start = this.pos;
    let p = start;
    if (numbered === null) {
      p += this.headBytes.write(a, p, head, false);
      if (lines.length !== 0) p += a.latin1Write(lines, p);
    } else {
      if (lines.length === 0) p += this.numberedHeadBytes.writePair(a, p, head, numbered);
      else {
        p += this.headBytes.write(a, p, head, false);
        p += a.latin1Write(lines, p);
        p += this.numberedBytes.write(a, p, numbered, false);
      }
      p += writeDecimal(a, p, num);
      a[p++] = 13;
      a[p++] = 10;
    }
    a[p] = 13;
    a[p + 1] = 10;
    p += 2;
    if (bodyChars !== 0) p += this.bodyBytes.write(a, p, body!, true);
    this.pos = p;
    if (lines.length === 0 && numbered === null) {
      this.bareHead = head;
      this.bareBody = body;
      this.bareOff = start;
      this.bareLen = p - start;
    }
    this.pushRow(conn, seq, start, p - start, flags);
  }

  /**
   * A response `head` + `${numbered}${num}\r\n` + `\r\n` + `body` as a Numbered row: the arena holds
   * the template (head, numbered start, CRLF CRLF, body) once per flush, and the loop writes each
   * row's digits into its copy (native/numbered_out.hpp): no bytes are copied here per response.
   * `num` is a uint32 (digits only: valid by construction).
   */
  private numberedRow(conn: number, seq: number, head: string, numbered: string, body: string | null, num: number, flags: number): void {
    if (this.text.length !== 0) this.writeText(); // rows of pending text come first (their offsets are relative to it)
    if (head !== this.numHead || numbered !== this.numStart || body !== this.numBody) {
      this.numTemplate(head, numbered, body);
      this.numTpl = null;
    }
    this.numRow(conn, seq, num, flags);
  }

  /**
   * `respondLines(conn, seq, tpl.head, '', body, close, tpl.start, num)` as a Numbered row, its
   * template recognised by the identity of `tpl` (and `body`): no head string is compared.
   */
  respondNumbered(conn: number, seq: number, tpl: NumberedHead, body: string | null, num: number, close: boolean): void {
    if (num > 0xffffffff) {
      this.respondLines(conn, seq, tpl.head, '', body, close, tpl.start, num);
      return;
    }
    if (this.text.length !== 0) this.writeText(); // rows of pending text come first (their offsets are relative to it)
    if (tpl !== this.numTpl || body !== this.numBody) {
      this.numTemplate(tpl.head, tpl.start, body);
      this.numTpl = tpl;
    }
    this.numRow(conn, seq, num, close ? OutFlag.Close : 0);
  }

  /** Write the template of numbered rows (no text pending): head, numbered start, CRLF CRLF, body. */
  private numTemplate(head: string, numbered: string, body: string | null): void {
    const need = this.pos + head.length + numbered.length + 4 + (body === null ? 0 : body.length * 3);
    if (need > this.arena.length) this.growArena(need);
    const a = this.arena;
    const start = this.pos;
    let p = start + this.numberedHeadBytes.writePair(a, start, head, numbered);
    this.numSplit = p - start;
    a[p] = 13;
    a[p + 1] = 10;
    a[p + 2] = 13;
    a[p + 3] = 10;
    p += 4;
    if (body !== null && body.length !== 0) p += this.bodyBytes.write(a, p, body, true);
    this.pos = p;
    this.numHead = head;
    this.numStart = numbered;
    this.numBody = body;
    this.numOff = start;
    this.numLen = p - start;
  }

  /** A Numbered row over the current template. */
  private numRow(conn: number, seq: number, num: number, flags: number): void {
    if ((this.rows + 1) * OutCol.Count > this.table.length) this.growTable();
    const r = this.rows * OutCol.Count;
    const t = this.table;
    t[r + OutCol.Conn] = conn;
    t[r + OutCol.Seq] = seq;
    t[r + OutCol.Off] = this.numOff;
    t[r + OutCol.Len] = this.numLen;
    t[r + OutCol.Flags] = flags | OutFlag.Numbered;
    t[r + OutCol.Num] = num;
    t[r + OutCol.Split] = this.numSplit;
    this.rows++;
    this.textRow = this.rows;
    this.schedule();
  }

  /** A streamed response (rows flagged as stream rows; see native/stream_writer.cc). */
  stream(conn: number, seq: number, head: string, close: boolean, events: ResponseStreamEvents): ResponseStream {
    const s = new NativeOutStream(this, conn, seq, close, events, this.highWaterMark);
    this.streams ??= new Map();
    let set = this.streams.get(conn);
    if (set === undefined) this.streams.set(conn, (set = new Set()));
    set.add(s);
    this.put(conn, seq, head, null, OutFlag.StreamOpen | (close ? OutFlag.Close : 0));
    return s;
  }

  /** A file body sent by the loop (see native/file_sender.cc and file-output.ts). */
  sendFile(conn: number, seq: number, head: string, fd: number, offset: number, length: number, close: boolean, events: FileSendEvents): void {
    this.files ??= new NativeFiles();
    const row = this.files.add(conn, seq, fd, offset, length, events);
    this.put(conn, seq, head, null, OutFlag.StreamOpen | (close ? OutFlag.Close : 0));
    this.put(conn, seq, '', row, OutFlag.StreamFile | (close ? OutFlag.Close : 0));
  }

  /** The loop finished the connection's front file body. */
  fileDone(conn: number, ok: boolean): void {
    this.files?.done(conn, ok);
  }

  /** @internal a row of stream `s` */
  streamRow(s: NativeOutStream, body: string | Uint8Array | null, flags: number): void {
    if ((flags & (OutFlag.StreamEnd | OutFlag.StreamAbort)) !== 0) {
      const set = this.streams?.get(s.conn);
      if (set !== undefined && set.delete(s)) {
        // a later stream of the connection waits for a drain (its bytes were held behind this one):
        // the end asks for it, so it is woken once it has the turn and the output is under the mark
        for (const o of set) {
          if (o.wantsDrain) {
            flags |= OutFlag.WantDrain;
            break;
          }
        }
      }
    }
    this.put(s.conn, s.seq, '', body, flags);
  }

  /**
   * The same chunk to `count` open streams of this writer (an SSE broadcast): encoded once into the
   * arena, one row per stream pointing at it (the loop gathers each connection's rows of the turn
   * into its one write). Closed streams are skipped. Like `write` on each, without its result.
   */
  streamPublish(streams: readonly ResponseStream[], count: number, chunk: string | Uint8Array): void {
    if (count === 0) return;
    let at: number;
    let n: number;
    if (typeof chunk === 'string') {
      at = this.reserve(chunk.length * 3);
      n = this.arena.utf8Write(chunk, at);
    } else {
      n = chunk.byteLength;
      at = this.reserve(n);
      this.arena.set(chunk, at);
    }
    if (n === 0) return;
    this.commit(n);
    while ((this.rows + count) * OutCol.Count > this.table.length) this.growTable();
    const t = this.table;
    let r = this.rows * OutCol.Count;
    for (let i = 0; i < count; i++) {
      const s = streams[i] as NativeOutStream;
      if (s.closed) continue;
      t[r + OutCol.Conn] = s.conn;
      t[r + OutCol.Seq] = s.seq;
      t[r + OutCol.Off] = at;
      t[r + OutCol.Len] = n;
      t[r + OutCol.Flags] = s.account(n);
      r += OutCol.Count;
      this.rows++;
    }
    this.textRow = this.rows;
    this.schedule();
  }

  private readonly lent: Uint8Array[] = [];

  /**
   * @internal rows of stream `s`: prefix, chunk, suffix. A large chunk outside a batch is lent, not
   * copied: its row points at it, and the rows are flushed now, so the loop has written it (or copied
   * what the socket did not take) before this returns: the producer may reuse its memory at once.
   */
  framedRows(s: NativeOutStream, prefix: string, chunk: Uint8Array, suffix: string, flags: number, handedOver = false): void {
    const data = flags & ~OutFlag.WantDrain;
    const n = chunk.byteLength;
    if (n < (handedOver ? REF_MIN : LEND_MIN) || this.inBatch || this.sink === undefined) {
      // copied: prefix, chunk and suffix as one row of arena bytes, written with the tick's other rows
      const room = (prefix.length + suffix.length) * 3 + n;
      if (!this.inBatch && this.sink !== undefined && this.pos + this.lentBytes !== 0 && this.pos + this.lentBytes + room > GATHER_MAX) {
        this.flushLent(); // the tick's gathered output first: the arena stays bounded
      }
      const at = this.reserve(room);
      const a = this.arena;
      let p = at;
      // a chunk size line repeats (same-sized chunks): its kept bytes, not encoded again
      if (prefix !== '') p += this.prefixBytes.write(a, p, prefix, true);
      a.set(chunk, p);
      p += n;
      p += writeSuffix(a, p, suffix);
      this.commit(p - at);
      this.row(s.conn, s.seq, at, p - at, flags);
      return;
    }
    if (handedOver) {
      this.refRows(s, prefix, chunk, suffix, flags, data);
      return;
    }
    if (prefix !== '') this.put(s.conn, s.seq, '', prefix, data);
    this.lendRow(s, chunk, suffix === '' ? flags : data);
    if (suffix !== '') this.put(s.conn, s.seq, '', suffix, flags);
    this.flushLent();
  }

  /** Bytes of the chunks in `lent` (rows pointing at them, not flushed yet). */
  private lentBytes = 0;

  /**
   * Rows of a handed-over chunk (not copied, not flushed now): its framing in the arena, the chunk
   * lent with the tick's flush. The tick's output stays within GATHER_MAX bytes (flushed first).
   */
  private refRows(s: NativeOutStream, prefix: string, chunk: Uint8Array, suffix: string, flags: number, data: number): void {
    const n = chunk.byteLength;
    const room = (prefix.length + suffix.length) * 3;
    if (this.pos + this.lentBytes !== 0 && this.pos + this.lentBytes + room + n > GATHER_MAX) this.flushLent();
    if (prefix !== '') {
      const at = this.reserve(prefix.length * 3);
      this.commit(this.prefixBytes.write(this.arena, at, prefix, true));
      this.pushRow(s.conn, s.seq, at, this.pos - at, data);
    }
    this.lendRow(s, chunk, suffix === '' ? flags : data);
    this.lentBytes += n;
    if (suffix === '') {
      this.schedule(); // (lendRow does not)
      return;
    }
    const at = this.reserve(suffix.length * 3);
    this.commit(writeSuffix(this.arena, at, suffix));
    this.pushRow(s.conn, s.seq, at, this.pos - at, flags);
  }

  /** Flush every pending row now, with the chunks they lend (read by the loop during the call only). */
  private flushLent(): void {
    const rows = this.reset();
    if (this.lent.length === 0) {
      this.sink!.flush(rows);
      return;
    }
    try {
      this.sink!.flush(rows, this.lent);
    } finally {
      this.lent.length = 0;
      this.lentBytes = 0;
    }
  }

  /**
   * Rows that lend chunks are returned to the loop without them (`finish` of a batch): the chunks
   * are copied into the arena first (not expected: lent rows are flushed by the tick that wrote them).
   */
  private copyLent(): void {
    const t = this.table;
    for (let i = 0; i < this.rows; i++) {
      const r = i * OutCol.Count;
      const off = t[r + OutCol.Off]!;
      if (off < OUT_LENT_OFF) continue;
      const chunk = this.lent[off - OUT_LENT_OFF]!;
      const at = this.reserve(chunk.byteLength);
      this.arena.set(chunk, at);
      this.commit(chunk.byteLength);
      this.table[r + OutCol.Off] = at; // (the table may have been replaced: reserve does not grow it)
    }
    this.lent.length = 0;
    this.lentBytes = 0;
  }

  /**
   * @internal `text` as one chunk of the chunked coding, encoded once: the UTF-8 bytes go in
   * CHUNK_ROOM bytes into the reserved space, then the size line right before them and CRLF after.
   */
  chunkRow(s: NativeOutStream, text: string, flags: number): void {
    const at = this.reserve(CHUNK_ROOM + text.length * 3 + 2);
    const b = this.arena;
    const n = b.utf8Write(text, at + CHUNK_ROOM);
    const size = `${n.toString(16)}\r\n`;
    const start = at + CHUNK_ROOM - size.length;
    b.latin1Write(size, start);
    b[at + CHUNK_ROOM + n] = 13;
    b[at + CHUNK_ROOM + n + 1] = 10;
    this.commit(CHUNK_ROOM + n + 2);
    this.row(s.conn, s.seq, start, size.length + n + 2, flags);
  }

  /** The row of a lent chunk (flushed by the caller before it returns). */
  private lendRow(s: NativeOutStream, body: Uint8Array, flags: number): void {
    this.writeText();
    if ((this.rows + 1) * OutCol.Count > this.table.length) this.growTable();
    const r = this.rows * OutCol.Count;
    const t = this.table;
    t[r + OutCol.Conn] = s.conn;
    t[r + OutCol.Seq] = s.seq;
    t[r + OutCol.Off] = OUT_LENT_OFF | this.lent.length;
    t[r + OutCol.Len] = body.byteLength;
    t[r + OutCol.Flags] = flags;
    this.rows++;
    this.textRow = this.rows;
    this.lent.push(body);
  }

  /**
   * The loop says the connection's unsent output went under the mark: the stream with the turn (the
   * lowest seq) may write on. A later one's bytes are held behind it; waking it would only grow them
   * (it is woken once it has the turn: see `streamRow`).
   */
  drained(conn: number): void {
    const set = this.streams?.get(conn);
    if (set === undefined) return;
    let first: NativeOutStream | undefined;
    for (const s of set) if (first === undefined || s.seq < first.seq) first = s;
    first?.drained();
  }

  /** The connection closed (or its client half-closed): its streams stop. */
  connectionClosed(conn: number): void {
    const aborted = this.files?.lost(conn);
    if (aborted !== undefined) for (const seq of aborted) this.put(conn, seq, '', null, OutFlag.StreamAbort | OutFlag.Close);
    const set = this.streams?.get(conn);
    if (set === undefined) return;
    this.streams!.delete(conn);
    for (const s of set) s.lost();
  }

  private put(conn: number, seq: number, head: string, body: string | Uint8Array | null, flags: number): void {
    if ((this.rows + 1) * OutCol.Count > this.table.length) this.growTable();
    const r = this.rows * OutCol.Count;
    const t = this.table;
    t[r + OutCol.Conn] = conn;
    t[r + OutCol.Seq] = seq;
    t[r + OutCol.Flags] = flags;
    if (body === null || typeof body === 'string') {
      if (head === this.lastHead && body === this.lastBody) {
        // the same bytes as the previous response (e.g. a fixed answer): point at them, copy nothing
        if (this.lastRow >= this.textRow) this.writeText();
        const src = this.lastRow * OutCol.Count;
        t[r + OutCol.Off] = t[src + OutCol.Off]!;
        t[r + OutCol.Len] = t[src + OutCol.Len]!;
        this.rows++;
        this.textRow = this.rows;
      } else {
        const start = this.text.length;
        this.text = body ? this.text + head + body : this.text + head;
        t[r + OutCol.Off] = start;
        t[r + OutCol.Len] = this.text.length - start;
        this.lastHead = head;
        this.lastBody = body;
        this.lastRow = this.rows;
        this.rows++;
        // keep the flattened string small (young generation, no large-object mmap per batch)
        if (this.text.length > TEXT_CHUNK) this.writeText();
      }
    } else {
      this.writeText();
      const headBytes = Buffer.byteLength(head, 'latin1');
      const need = this.pos + headBytes + body.byteLength;
      if (need > this.arena.length) this.growArena(need);
      const written = this.arena.latin1Write(head, this.pos);
      this.arena.set(body, this.pos + written);
      t[r + OutCol.Off] = this.pos;
      t[r + OutCol.Len] = written + body.byteLength;
      this.pos += written + body.byteLength;
      this.rows++;
      this.textRow = this.rows;
      this.lastHead = undefined;
    }
    this.schedule();
  }

  // WebSocket output (ws-writer.ts): frames are built in the arena, one row per connection
  wsAccept(conn: number, seq: number, head: string, options: WsAcceptOptions): void {
    ws.acceptRow(this, conn, seq, head, options);
  }

  wsSend(conn: number, opcode: WsSendOpcode, payload: string | Uint8Array, rsv1: boolean, wantDrain: boolean): number {
    return ws.sendRow(this, conn, opcode, payload, rsv1, wantDrain);
  }

  wsPublish(conns: ArrayLike<number>, count: number, opcode: WsSendOpcode, payload: string | Uint8Array, rsv1: boolean): number {
    return ws.publishRows(this, conns, count, opcode, payload, rsv1);
  }

  wsClose(conn: number, code: number, reason: string): void {
    ws.closeRow(this, conn, code, reason);
  }

  wsWantDrain(conn: number): void {
    this.row(conn, 0, 0, 0, OutFlag.Ws | OutFlag.WantDrain);
  }

  wsTerminate(conn: number): void {
    this.row(conn, 0, 0, 0, OutFlag.WsTerminate);
  }

  wsBuffered(conn: number): number {
    const unsent = this.sink?.wsBuffered?.(conn) ?? -1;
    return unsent < 0 ? unsent : unsent + this.pendingBytes(conn);
  }

  /** @internal room for `n` more bytes in the output arena (pending text is written first): their offset. */
  reserve(n: number): number {
    this.writeText();
    if (this.pos + n > this.arena.length) this.growArena(this.pos + n);
    return this.pos;
  }

  /** @internal the output arena (valid until the next `reserve`). */
  get bytes(): FastBuffer {
    return this.arena;
  }

  /** @internal `n` bytes from the reserved offset are used. */
  commit(n: number): void {
    this.pos += n;
  }

  /** @internal a row over arena bytes already written (after `reserve`/`commit`). */
  row(conn: number, seq: number, off: number, len: number, flags: number): void {
    this.writeText();
    this.pushRow(conn, seq, off, len, flags);
  }

  /** `row` when no text is pending. */
  private pushRow(conn: number, seq: number, off: number, len: number, flags: number): void {
    if ((this.rows + 1) * OutCol.Count > this.table.length) this.growTable();
    const r = this.rows * OutCol.Count;
    const t = this.table;
    t[r + OutCol.Conn] = conn;
    t[r + OutCol.Seq] = seq;
    t[r + OutCol.Off] = off;
    t[r + OutCol.Len] = len;
    t[r + OutCol.Flags] = flags;
    this.rows++;
    this.textRow = this.rows;
    this.schedule();
  }

  /** Flush the rows on the next tick (outside a batch, whose rows go back with its call). */
  private schedule(): void {
    if (!this.inBatch && !this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushLater);
    }
  }

  /** @internal the same arena span as a row for each of `count` connections (a published frame). */
  rowsFor(conns: ArrayLike<number>, count: number, off: number, len: number, flags: number): void {
    this.writeText();
    while ((this.rows + count) * OutCol.Count > this.table.length) this.growTable();
    const t = this.table;
    let r = this.rows * OutCol.Count;
    for (let i = 0; i < count; i++, r += OutCol.Count) {
      t[r + OutCol.Conn] = conns[i]!;
      t[r + OutCol.Seq] = 0;
      t[r + OutCol.Off] = off;
      t[r + OutCol.Len] = len;
      t[r + OutCol.Flags] = flags;
    }
    this.rows += count;
    this.textRow = this.rows;
    this.schedule();
  }

  /** Bytes of the rows for `conn` not yet handed to the loop (a scan: the rare path of bufferedAmount). */
  private pendingBytes(conn: number): number {
    this.writeText();
    let n = 0;
    const t = this.table;
    for (let i = 0; i < this.rows; i++) {
      const r = i * OutCol.Count;
      if (t[r + OutCol.Conn] === conn) n += t[r + OutCol.Len]!;
    }
    return n;
  }

  /** Whether a response row for (conn, seq) is pending in this batch (error path only: a scan). */
  hasRow(conn: number, seq: number): boolean {
    const t = this.table;
    for (let i = 0; i < this.rows; i++) {
      const r = i * OutCol.Count;
      if (t[r + OutCol.Conn] === conn && t[r + OutCol.Seq] === seq) return true;
    }
    return false;
  }

  /** Write the pending text and return the number of rows; resets for the next batch. */
  finish(): number {
    if (this.lent.length !== 0) {
      this.writeText();
      this.copyLent();
    }
    return this.reset();
  }

  /** `finish` when no row lends a chunk (or the chunks go along with the rows). */
  private reset(): number {
    this.writeText();
    const rows = this.rows;
    this.rows = 0;
    this.pos = 0;
    this.textRow = 0;
    this.lastHead = undefined;
    this.lastRow = -1;
    this.bareHead = undefined;
    this.numHead = undefined;
    this.numTpl = null;
    return rows;
  }

  private readonly flushLater = (): void => {
    this.scheduled = false;
    if (this.inBatch || this.rows === 0) return;
    if (this.lent.length !== 0) {
      this.flushLent();
      return;
    }
    const rows = this.finish();
    this.sink?.flush(rows);
  };

  /** One utf8 write for all text rows; converts their char offsets to arena byte offsets. */
  private writeText(): void {
    const s = this.text;
    if (s.length === 0) {
      this.textRow = this.rows;
      return;
    }
    if (this.pos + s.length * 3 > this.arena.length) {
      const need = this.pos + Buffer.byteLength(s, 'utf8');
      if (need > this.arena.length) this.growArena(need);
    }
    const base = this.pos;
    const n = this.arena.utf8Write(s, base);
    const t = this.table;
    if (n === s.length) {
      // all ASCII: char offsets are byte offsets
      for (let i = this.textRow; i < this.rows; i++) t[i * OutCol.Count + OutCol.Off]! += base;
    } else {
      let at = base;
      for (let i = this.textRow; i < this.rows; i++) {
        const r = i * OutCol.Count;
        const cs = t[r + OutCol.Off]!;
        const bytes = Buffer.byteLength(s.slice(cs, cs + t[r + OutCol.Len]!), 'utf8');
        t[r + OutCol.Off] = at;
        t[r + OutCol.Len] = bytes;
        at += bytes;
      }
    }
    this.pos += n;
    this.text = '';
    this.textRow = this.rows;
  }

  private growTable(): void {
    const next = new Uint32Array(this.table.length * 2);
    next.set(this.table);
    this.table = next;
    this.sink?.setOutput(this.arena, this.table);
  }

  private growArena(need: number): void {
    let size = this.arena.length * 2;
    while (size < need) size *= 2;
    const next = allocFast(size);
    this.arena.copy(next, 0, 0, this.pos);
    this.arena = next;
    this.sink?.setOutput(this.arena, this.table);
  }
}
