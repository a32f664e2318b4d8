import { encodeWsClose, wsHeaderSize, writeWsHeader } from '@jato/parser';
import type { WsAcceptOptions, WsSendOpcode } from '../ws-transport.js';
import { OutFlag } from './layout.js';
import type { OutputWriter } from './output-writer.js';

/** Bytes of the options after the 101 of a kOutUpgrade row (native/ws_session.hpp WsAcceptOptions). */
const OPTION_BYTES = 16;
/** Room left before a payload for the longest server frame header. */
const HEAD_ROOM = 10;
const U32_MAX = 0xffff_ffff;

const clampU32 = (n: number): number => (n >= U32_MAX ? U32_MAX : n > 0 ? Math.floor(n) : 0);

/** The 101 followed by the per-connection options (little-endian u32s). */
export function acceptRow(w: OutputWriter, conn: number, seq: number, head: string, o: WsAcceptOptions): void {
  const n = head.length + OPTION_BYTES;
  const at = w.reserve(n);
  const b = w.bytes;
  const h = b.latin1Write(head, at);
  const opt = at + h;
  b.writeUInt32LE(clampU32(o.maxMessage), opt);
  b.writeUInt32LE(clampU32(o.idleTimeout), opt + 4);
  b.writeUInt32LE(clampU32(o.maxBackpressure), opt + 8);
  b.writeUInt32LE((o.sendPings ? 1 : 0) | (o.deflate ? 2 : 0), opt + 12);
  w.commit(h + OPTION_BYTES);
  w.row(conn, seq, at, h + OPTION_BYTES, OutFlag.Upgrade);
}

/**
 * One frame in the arena: the payload is written HEAD_ROOM bytes in (a string with one utf8 write,
 * its byte length known only after), then the header right before it. Returns [offset, length].
 */
function frame(w: OutputWriter, opcode: number, payload: string | Uint8Array, rsv1: boolean): [number, number] {
  let at: number;
  let n: number;
  if (typeof payload === 'string') {
    at = w.reserve(HEAD_ROOM + payload.length * 3);
    n = payload.length === 0 ? 0 : w.bytes.utf8Write(payload, at + HEAD_ROOM);
  } else {
    n = payload.byteLength;
    at = w.reserve(HEAD_ROOM + n);
    w.bytes.set(payload, at + HEAD_ROOM);
  }
  const h = wsHeaderSize(n);
  writeWsHeader(w.bytes, at + HEAD_ROOM - h, opcode, n, true, rsv1);
  w.commit(HEAD_ROOM + n);
  return [at + HEAD_ROOM - h, h + n];
}

export function sendRow(w: OutputWriter, conn: number, opcode: WsSendOpcode, payload: string | Uint8Array, rsv1: boolean,
  wantDrain: boolean): number {
  const [off, len] = frame(w, opcode, payload, rsv1);
  w.row(conn, 0, off, len, wantDrain ? OutFlag.Ws | OutFlag.WantDrain : OutFlag.Ws);
  return len;
}

/** The frame is built once; every row points at the same bytes. */
export function publishRows(w: OutputWriter, conns: ArrayLike<number>, count: number, opcode: WsSendOpcode,
  payload: string | Uint8Array, rsv1: boolean): number {
  if (count === 0) return 0;
  const [off, len] = frame(w, opcode, payload, rsv1);
  w.rowsFor(conns, count, off, len, OutFlag.Ws);
  return len;
}

export function closeRow(w: OutputWriter, conn: number, code: number, reason: string): void {
  const f = encodeWsClose(code, reason);
  const at = w.reserve(f.length);
  w.bytes.set(f, at);
  w.commit(f.length);
  w.row(conn, 0, at, f.length, OutFlag.Ws | OutFlag.WsClose);
}
