// gather_write.hpp — the rules of a connection's gather list (plain C++, no libuv, no Node-API).
// A flush gathers each connection's output pieces (arena bytes, and chunks JS lent for the call)
// and writes them with one writev; a piece list is at most kGatherIovMax long (< IOV_MAX, so the
// kernel never refuses it). Contract:
//   GatherFullForLent(n): a list of n pieces takes no lent chunk more (the chunk and the bytes after
//     it add at most kLentPieces): the caller writes what is gathered first (WriteGathered).
//   KeepUnsent(pieces, count, done, keep): after a write that took `done` bytes of the pieces (a
//     prefix of them), hands every byte it did not take to keep(p, n), in order (the connection's
//     unsent buffer: lent memory is valid for the flush call only). False when keep refused.
#pragma once
#include <cstddef>

namespace jato::loop {

/** The longest gather list one write is given (IOV_MAX is 1024 on Linux). */
constexpr size_t kGatherIovMax = 512;
/** Pieces a lent chunk adds at most: the chunk, then the arena bytes after it (its framing). */
constexpr size_t kLentPieces = 2;

inline bool GatherFullForLent(size_t pieces) { return pieces + kLentPieces > kGatherIovMax; }

template <class Piece, class Keep>
bool KeepUnsent(const Piece* pieces, size_t count, size_t done, Keep&& keep) {
  size_t i = 0;
  while (i < count && done >= pieces[i].len) done -= pieces[i++].len;
  for (; i < count; i++, done = 0) {
    if (pieces[i].len > done && !keep(pieces[i].base + done, pieces[i].len - done)) return false;
  }
  return true;
}

}  // namespace jato::loop
