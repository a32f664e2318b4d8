// byte_buffer.hpp — a growable byte queue: append at the end, consume from the front.
// Contract: capacity only grows through reserve(); allocation failure is reported as false, never thrown.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace jato::loop {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ~ByteBuffer() { std::free(data_); }

  char* begin() { return data_ + start_; }
  const char* begin() const { return data_ + start_; }
  size_t size() const { return end_ - start_; }
  bool empty() const { return end_ == start_; }
  size_t capacity() const { return cap_; }

  /** Ensure room for n more bytes at the end; false when out of memory. */
  bool reserve(size_t n) {
    if (cap_ - end_ >= n) return true;
    size_t used = size();
    if (start_ > 0 && cap_ - used >= n) {
      std::memmove(data_, data_ + start_, used);
      start_ = 0;
      end_ = used;
      return true;
    }
    size_t want = cap_ ? cap_ : 1024;
    while (want - used < n) want *= 2;
    char* p = static_cast<char*>(std::malloc(want));
    if (!p) return false;
    if (used) std::memcpy(p, data_ + start_, used);
    std::free(data_);
    data_ = p;
    cap_ = want;
    start_ = 0;
    end_ = used;
    return true;
  }
  bool append(const char* p, size_t n) {
    if (n == 0) return true;
    if (!reserve(n)) return false;
    std::memcpy(data_ + end_, p, n);
    end_ += n;
    return true;
  }
  void consume(size_t n) {
    start_ += n;
    if (start_ >= end_) start_ = end_ = 0;
  }
  void clear() { start_ = end_ = 0; }
  /** Drop bytes from the end so that n remain (n <= size()). */
  void truncate(size_t n) {
    if (n < size()) end_ = start_ + n;
    if (start_ == end_) start_ = end_ = 0;
  }
  /** Give the memory back. */
  void release() {
    std::free(data_);
    data_ = nullptr;
    start_ = end_ = cap_ = 0;
  }
  void swap(ByteBuffer& o) {
    std::swap(data_, o.data_);
    std::swap(start_, o.start_);
    std::swap(end_, o.end_);
    std::swap(cap_, o.cap_);
  }

 private:
  char* data_ = nullptr;
  size_t start_ = 0, end_ = 0, cap_ = 0;
};

}  // namespace jato::loop
