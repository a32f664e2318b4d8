// numbered_out.hpp — the bytes of numbered response rows (kOutNumbered, batch_layout.hpp), plain C++.
// A numbered row's arena bytes are a template shared by many responses (a head that ends in the start
// of a header line, e.g. `X-Request-Id: k3J9xq2LwB0e-`, then `\r\n\r\n` and the body); the row gives
// the split (where the line's number goes) and the number. Expand writes template[0, split), the
// decimal digits of the number, template[split, len) into blocks owned here, so consecutive responses
// are one contiguous run (one gather entry, no coalescing copy). Digits only: the header value stays
// valid by construction.
// Contract: what Expand returns stays valid until Reset (blocks never move; a new one is added when
// the current is full); the writer calls Reset once the rows' flush ended (every gather entry was
// written or copied). Memory: at most kKeep blocks are kept between flushes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace jato::loop {

class NumberedOut {
 public:
  /** Decimal digits of a uint32_t at most. */
  static constexpr size_t kMaxDigits = 10;

  /** The response for `num` from template `t` of `len` bytes split at `split` (clamped to `len`). */
  const char* Expand(const char* t, size_t len, size_t split, uint32_t num, size_t* out_len) {
    if (split > len) split = len;
    char* p = Room(len + kMaxDigits);
    std::memcpy(p, t, split);
    size_t n = split;
    char digits[kMaxDigits];
    size_t d = kMaxDigits;
    do {
      digits[--d] = static_cast<char>('0' + num % 10);
      num /= 10;
    } while (num != 0);
    std::memcpy(p + n, digits + d, kMaxDigits - d);
    n += kMaxDigits - d;
    std::memcpy(p + n, t + split, len - split);
    n += len - split;
    used_ += n;
    *out_len = n;
    return p;
  }

  /** The flush ended: the blocks are reused (the first kKeep kept). */
  void Reset() {
    if (used_ == 0 && cur_ == 0) return;
    cur_ = 0;
    used_ = 0;
    if (blocks_.size() > kKeep) blocks_.resize(kKeep);
  }

 private:
  static constexpr size_t kBlock = 64 * 1024;
  static constexpr size_t kKeep = 4;
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t size;
  };

  /** `n` free bytes at the end of the current block (moving to a further one when it has no room). */
  char* Room(size_t n) {
    while (cur_ < blocks_.size()) {
      Block& b = blocks_[cur_];
      if (b.size - used_ >= n) return b.bytes.get() + used_;
      cur_++;
      used_ = 0;
    }
    size_t size = n > kBlock ? n : kBlock;
    blocks_.push_back(Block{std::unique_ptr<char[]>(new char[size]), size});
    cur_ = blocks_.size() - 1;
    used_ = 0;
    return blocks_.back().bytes.get();
  }

  std::vector<Block> blocks_;
  size_t cur_ = 0;
  size_t used_ = 0;
};

}  // namespace jato::loop
