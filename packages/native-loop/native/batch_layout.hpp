// batch_layout.hpp — the shared memory layout between the loop and JS (mirrored in
// src/native/layout.ts; keep both in step).
//   request table: Uint32Array, kCols words per request (row-major)
//   header table:  Uint32Array, 4 words per header line (name off, name len, value off, value len)
//   arena:         head bytes (+ body) of every request of the batch; all offsets are arena offsets
//   closed list:   Uint32Array of connection ids that closed since the last batch
//   output table:  Uint32Array written by JS, kOutCols words per response row; offsets into the output arena
#pragma once
#include <cstdint>

namespace jato::loop {

enum Col : uint32_t {
  kConn = 0, kSeq, kMethod, kFlags, kTargetOff, kTargetLen, kHeaderIndex, kHeaderCount,
  kBodyOff, kBodyLen, kMethodOff, kMethodLen, kCols,
};

// kOutNum, kOutSplit: read only for a kOutNumbered row (other rows leave them as they were)
enum OutCol : uint32_t { kOutConn = 0, kOutSeq, kOutOff, kOutLen, kOutFlags, kOutNum, kOutSplit, kOutCols };

/** Output row flags. */
constexpr uint32_t kOutClose = 1;
/** Streamed-response rows (see stream_writer.cc): open (head), data, end, abort; want a drain notice. */
constexpr uint32_t kOutStreamOpen = 2, kOutStreamData = 4, kOutStreamEnd = 8, kOutStreamAbort = 16,
                   kOutWantDrain = 32;
/** A file body row (file_sender.cc): its bytes are a FileRow. */
constexpr uint32_t kOutStreamFile = 64;
/** WebSocket rows (see ws_output.cc): a whole frame (kOutWs; with kOutWsClose it is our close frame),
 *  terminate the connection, or the 101 that accepts an upgrade request (kOutUpgrade: the row's bytes
 *  are the response followed by kWsOptionBytes of WsAcceptOptions, see ws_session.hpp).
 *  They are the highest row bits: ProcessRows routes every row with flags >= kOutWs to WsRow. */
constexpr uint32_t kOutWs = 128, kOutWsClose = 256, kOutWsTerminate = 512, kOutUpgrade = 1024;
static_assert(kOutWs > (kOutClose | kOutStreamOpen | kOutStreamData | kOutStreamEnd | kOutStreamAbort |
                        kOutWantDrain | kOutStreamFile),
              "WebSocket row bits must stay above every other output flag");
/** A whole response (with kOutClose or not) whose arena bytes are a template: the decimal digits of
 *  the row's kOutNum are written at its kOutSplit (numbered_out.hpp; a counter-made request id). */
constexpr uint32_t kOutNumbered = 2048;
static_assert(kOutNumbered > kOutUpgrade, "a numbered row is routed before the WebSocket rows");
/** A streamed-data row whose kOutOff has this bit carries a JS chunk lent for one flush call, not
 *  arena bytes: the rest of kOutOff indexes the chunks handed to that call (output-writer.ts). The
 *  arena stays under this many bytes. */
constexpr uint32_t kOutLentOff = 0x80000000u;
/** In the closed list, an id with this bit is a drain notice (unsent output went under the mark). */
constexpr uint32_t kDrainBit = 0x80000000u;
/** In the closed list: the connection's front file body finished (sent, or failed with kFileFailBit). */
constexpr uint32_t kFileDoneBit = 0x40000000u, kFileFailBit = 0x20000000u;
/** Connection ids stay under this (the notice bits above are free). */
constexpr uint32_t kMaxConnId = 0x20000000u;

/** Request flags (RequestFlag in src/types.ts). */
constexpr uint32_t kFlagKeepAlive = 1, kFlagHttp10 = 2, kFlagExpectContinue = 4, kFlagUpgrade = 8,
                   kFlagChunked = 16;

constexpr uint32_t kClosedCapacity = 4096;

/** WebSocket event table (Uint32Array, kWsCols words per event; data in the input arena). */
enum WsCol : uint32_t { kWsConn = 0, kWsKind, kWsCode, kWsOff, kWsLen, kWsCols };
/** Event kinds: a text / binary message (| kWsCompressed when RSV1 was set), the close handshake or a
 *  protocol error (code: the peer's code, 1005 for none, or the 1002/1007/1009 we closed with). */
constexpr uint32_t kWsText = 1, kWsBinary = 2, kWsClose = 8, kWsCompressed = 0x100;
constexpr uint32_t kInitialWsRows = 4096;

}  // namespace jato::loop
