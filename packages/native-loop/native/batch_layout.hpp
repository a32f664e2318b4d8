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

enum OutCol : uint32_t { kOutConn = 0, kOutSeq, kOutOff, kOutLen, kOutFlags, kOutCols };

/** Output row flags. */
constexpr uint32_t kOutClose = 1;
/** Streamed-response rows (see stream_writer.cc): open (head), data, end, abort; want a drain notice. */
constexpr uint32_t kOutStreamOpen = 2, kOutStreamData = 4, kOutStreamEnd = 8, kOutStreamAbort = 16,
                   kOutWantDrain = 32;
/** In the closed list, an id with this bit is a drain notice (unsent output went under the mark). */
constexpr uint32_t kDrainBit = 0x80000000u;
/** A file body row (file_sender.cc): its bytes are a FileRow. */
constexpr uint32_t kOutStreamFile = 64;
/** In the closed list: the connection's front file body finished (sent, or failed with kFileFailBit). */
constexpr uint32_t kFileDoneBit = 0x40000000u, kFileFailBit = 0x20000000u;
/** Connection ids stay under this (the notice bits above are free). */
constexpr uint32_t kMaxConnId = 0x20000000u;

/** Request flags (RequestFlag in src/types.ts). */
constexpr uint32_t kFlagKeepAlive = 1, kFlagHttp10 = 2, kFlagExpectContinue = 4, kFlagUpgrade = 8,
                   kFlagChunked = 16;

constexpr uint32_t kClosedCapacity = 4096;

}  // namespace jato::loop
