/**
 * The shared memory layout between the native loop and JS (mirrors native/batch_layout.hpp).
 * Request table: `Col.Count` Uint32 words per request. Header table: 4 words per header line.
 * Output table: `OutCol.Count` words per response row, offsets into the output arena.
 */
export const enum Col {
  Conn = 0, Seq, Method, Flags, TargetOff, TargetLen, HeaderIndex, HeaderCount,
  BodyOff, BodyLen, MethodOff, MethodLen, Count,
}

/** Columns of the output table JS writes (Num and Split: read only for a `Numbered` row). */
export const enum OutCol { Conn = 0, Seq, Off, Len, Flags, Num, Split, Count }

/** Output row flags. */
export const enum OutFlag {
  Close = 1,
  // streamed responses (native/stream_writer.cc)
  StreamOpen = 2, StreamData = 4, StreamEnd = 8, StreamAbort = 16, WantDrain = 32,
  // a file body row (native/file_sender.cc): its bytes are a FileRow (file-row.ts)
  StreamFile = 64,
  // WebSocket rows (native/ws_output.cc): a frame, our close frame, terminate, the 101 of an upgrade.
  // The highest bits: the loop routes every row with flags >= Ws to the WebSocket writer.
  Ws = 128, WsClose = 256, WsTerminate = 512, Upgrade = 1024,
  // a whole response (with Close or not) whose bytes are a template: the loop writes the decimal
  // digits of the row's Num at its Split (native/numbered_out.hpp; a counter-made request id)
  Numbered = 2048,
}

/**
 * A stream-data row whose Off has this bit points into a chunk lent for one flush call (the rest of
 * Off indexes the chunks given to it), not into the arena (native batch_layout.hpp kOutLentOff).
 */
export const OUT_LENT_OFF = 0x80000000;
/** Columns of the WebSocket event table (native/batch_layout.hpp WsCol). */
export const enum WsCol { Conn = 0, Kind, Code, Off, Len, Count }
/** In the closed list, an id with this bit set is a drain notice for the connection. */
export const DRAIN_BIT = 0x80000000;
/** In the closed list: the connection's front file body finished (FILE_FAIL_BIT: it failed). */
export const FILE_DONE_BIT = 0x40000000;
export const FILE_FAIL_BIT = 0x20000000;
