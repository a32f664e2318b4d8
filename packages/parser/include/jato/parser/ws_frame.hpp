// jato/parser/ws_frame.hpp — RFC 6455 WebSocket frames: a resumable parser for the frames a client
// sends and the header writer for the frames a server sends. Used by @jato/native-loop's WebSocket
// state machine, the fuzz target and the native unit tests; src/ts/ws-frame.ts is its TypeScript twin
// (same contract, same case list in test/ws-corpus).
//
// Contract (Parser):
//   Parser p(limits);
//   size_t used = p.parse(bytes, n, host);
// `bytes[0, n)` are new bytes of the connection (written to: payloads are unmasked in place). The
// parser keeps what it needs of a partial frame itself (a header of at most 14 bytes, a control
// payload of at most 125, the fragments of the message being assembled, bounded by max_message), so
// it consumes every byte unless a hook pauses it; the caller presents p[used, n) again later.
// Hooks of the Host (a template parameter, so each inlines):
//   bool on_message(uint8_t opcode, const uint8_t* data, size_t len, bool compressed)
//        a whole text (1) or binary (2) message; text is valid UTF-8 unless `compressed` (RSV1 of a
//        negotiated permessage-deflate: the host inflates and validates).
//   bool on_control(uint8_t opcode, const uint8_t* data, size_t len)   a ping (9) or pong (10)
//   void on_close(uint16_t code, const uint8_t* reason, size_t len)     a valid close frame (code 1005
//        when it had no payload); nothing more is parsed
//   void on_error(uint16_t code)   a protocol error: 1002 (framing), 1007 (invalid UTF-8) or 1009
//        (message over max_message); nothing more is parsed
// `data` views are valid during the hook only. A hook returning false pauses after that frame.
// Errors are values, never asserts or exceptions; no allocation beyond the message buffer (malloc,
// failure reported as 1009).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace jato::ws {

enum Opcode : uint8_t { kContinuation = 0, kText = 1, kBinary = 2, kClose = 8, kPing = 9, kPong = 10 };

/** Close codes this code sends or reports (RFC 6455 §7.4.1). */
enum CloseCode : uint16_t {
  kNormal = 1000, kGoingAway = 1001, kProtocolError = 1002, kUnsupportedData = 1003, kNoStatus = 1005,
  kAbnormal = 1006, kInvalidPayload = 1007, kPolicy = 1008, kTooBig = 1009, kMandatoryExtension = 1010,
  kInternalError = 1011,
};

/** Whether `code` may appear in a close frame on the wire (1000–1003, 1007–1014, 3000–4999). */
constexpr bool valid_close_code(uint32_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

struct Limits {
  uint64_t max_message = uint64_t{16} << 20;  // payload bytes of one (assembled) message → 1009
  bool require_mask = true;                   // client frames must be masked → 1002
  bool allow_rsv1 = false;                    // permessage-deflate negotiated
};

/** Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF). */
class Utf8Validator {
 public:
  /** Feeds bytes; false as soon as they cannot be part of valid UTF-8. */
  bool feed(const uint8_t* p, size_t n) {
    size_t i = 0;
    while (i < n) {
      if (need_ == 0) {
        while (i + 8 <= n) {  // ASCII, 8 bytes at a time
          uint64_t w;
          std::memcpy(&w, p + i, 8);
          if (w & 0x8080808080808080ull) break;
          i += 8;
        }
        if (i >= n) break;
        uint8_t b = p[i++];
        if (b < 0x80) continue;
        if (b < 0xC2) return false;
        if (b < 0xE0) {
          need_ = 1, lo_ = 0x80, hi_ = 0xBF;
        } else if (b < 0xF0) {
          need_ = 2, lo_ = b == 0xE0 ? 0xA0 : 0x80, hi_ = b == 0xED ? 0x9F : 0xBF;
        } else if (b < 0xF5) {
          need_ = 3, lo_ = b == 0xF0 ? 0x90 : 0x80, hi_ = b == 0xF4 ? 0x8F : 0xBF;
        } else {
          return false;
        }
      } else {
        uint8_t b = p[i++];
        if (b < lo_ || b > hi_) return false;
        lo_ = 0x80, hi_ = 0xBF;
        need_--;
      }
    }
    return true;
  }
  /** True at a code point boundary. */
  bool complete() const { return need_ == 0; }
  void reset() { need_ = 0, lo_ = 0x80, hi_ = 0xBF; }

 private:
  uint8_t need_ = 0, lo_ = 0x80, hi_ = 0xBF;
};

/** Whether p[0, n) is valid UTF-8. */
inline bool valid_utf8(const uint8_t* p, size_t n) {
  Utf8Validator v;
  return v.feed(p, n) && v.complete();
}

/** XORs p[0, n) with `mask`, starting at byte `phase` (0–3) of it; returns the phase after p[n-1]. */
inline uint32_t unmask(uint8_t* p, size_t n, const uint8_t mask[4], uint32_t phase) {
  uint8_t m[8];
  for (int k = 0; k < 8; k++) m[k] = mask[(phase + k) & 3];
  uint64_t m64;
  std::memcpy(&m64, m, 8);
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i m128 = _mm_set1_epi64x(static_cast<long long>(m64));
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + i), _mm_xor_si128(v, m128));
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= m64;
    std::memcpy(p + i, &w, 8);
  }
  for (; i < n; i++) p[i] ^= m[i & 7];
  return static_cast<uint32_t>((phase + n) & 3);
}

// ---- writer -------------------------------------------------------------------------------------

/** Longest frame header: 2 + 8 (64-bit length) + 4 (mask). */
constexpr size_t kMaxHeader = 14;

/** Header bytes of a frame with a `len`-byte payload. */
constexpr size_t header_size(uint64_t len, bool masked = false) {
  return (len < 126 ? 2 : len <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes a frame header into out[0, kMaxHeader); returns its size. `mask` null: unmasked (server). */
inline size_t write_header(uint8_t* out, uint8_t opcode, uint64_t len, bool fin = true, bool rsv1 = false,
                           const uint8_t* mask = nullptr) {
  out[0] = static_cast<uint8_t>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0F));
  uint8_t mbit = mask ? 0x80 : 0;
  size_t at;
  if (len < 126) {
    out[1] = static_cast<uint8_t>(mbit | len);
    at = 2;
  } else if (len <= 0xFFFF) {
    out[1] = mbit | 126;
    out[2] = static_cast<uint8_t>(len >> 8);
    out[3] = static_cast<uint8_t>(len);
    at = 4;
  } else {
    out[1] = mbit | 127;
    for (int k = 0; k < 8; k++) out[2 + k] = static_cast<uint8_t>(len >> (56 - 8 * k));
    at = 10;
  }
  if (mask) {
    std::memcpy(out + at, mask, 4);
    at += 4;
  }
  return at;
}

/** A whole close frame (server side) into out[0, 2 + 2 + 123); the reason is cut at 123 bytes. */
inline size_t write_close(uint8_t* out, uint16_t code, const char* reason = nullptr, size_t reason_len = 0) {
  if (code == kNoStatus) {  // 1005 never goes on the wire: an empty close frame
    out[0] = 0x80 | kClose;
    out[1] = 0;
    return 2;
  }
  if (reason_len > 123) reason_len = 123;
  size_t at = write_header(out, kClose, 2 + reason_len);
  out[at++] = static_cast<uint8_t>(code >> 8);
  out[at++] = static_cast<uint8_t>(code);
  if (reason_len) std::memcpy(out + at, reason, reason_len);
  return at + reason_len;
}

// ---- parser -------------------------------------------------------------------------------------

/** Growable bytes for the message being assembled (malloc; failure is a value). */
class MessageBuffer {
 public:
  MessageBuffer() = default;
  MessageBuffer(const MessageBuffer&) = delete;
  MessageBuffer& operator=(const MessageBuffer&) = delete;
  ~MessageBuffer() { std::free(data_); }
  uint8_t* data() { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  /** Room for n more bytes; returns where they go, or null when out of memory. */
  uint8_t* grow(size_t n) {
    if (cap_ - size_ < n) {
      size_t want = cap_ ? cap_ : 256;
      while (want - size_ < n) want *= 2;
      auto* p = static_cast<uint8_t*>(std::realloc(data_, want));
      if (!p) return nullptr;
      data_ = p;
      cap_ = want;
    }
    uint8_t* at = data_ + size_;
    size_ += n;
    return at;
  }
  void clear() {
    size_ = 0;
    if (cap_ > (size_t{64} << 10)) release();  // a large message's memory is not kept
  }
  void release() {
    std::free(data_);
    data_ = nullptr;
    size_ = cap_ = 0;
  }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0, cap_ = 0;
};

class Parser {
 public:
  explicit Parser(const Limits& limits = Limits{}) : limits_(limits) {}

  void set_limits(const Limits& limits) { limits_ = limits; }
  /** A close frame or an error ended parsing. */
  bool done() const { return state_ == State::Done; }
  /** A fragmented message has started and not finished. */
  bool in_message() const { return msg_op_ != 0; }
  /** Bytes held for partial frames and the message being assembled. */
  size_t buffered() const { return msg_.size() + hdr_have_ + ctrl_len_; }
  /** Gives back the memory of the message buffer (after close). */
  void release() { msg_.release(); }

  template <class Host>
  size_t parse(uint8_t* p, size_t n, Host& host) {
    size_t i = 0;
    while (i < n) {
      if (state_ == State::Done) return n;
      if (state_ == State::Header) {
        if (!read_header(p, n, i, host)) continue;  // partial header kept, or an error (Done)
        if (remaining_ == 0 && !finish_frame(nullptr, 0, host)) return i;
        continue;
      }
      // Payload
      size_t avail = n - i;
      size_t take = avail < remaining_ ? avail : static_cast<size_t>(remaining_);
      uint8_t* q = p + i;
      if (masked_) phase_ = unmask(q, take, mask_, phase_);
      i += take;
      remaining_ -= take;
      if (op_ >= 8) {
        std::memcpy(ctrl_ + ctrl_len_, q, take);
        ctrl_len_ += static_cast<uint8_t>(take);
        if (remaining_ == 0 && !finish_frame(nullptr, 0, host)) return i;
        continue;
      }
      if (check_utf8_ && !utf8_.feed(q, take)) {
        fail(kInvalidPayload, host);
        return n;
      }
      if (remaining_ == 0 && fin_ && msg_.size() == 0 && take == frame_len_) {
        // the whole message in this read: delivered in place, no copy
        if (!finish_frame(q, take, host)) return i;
        continue;
      }
      uint8_t* dst = msg_.grow(take);
      if (!dst) {
        fail(kTooBig, host);
        return n;
      }
      std::memcpy(dst, q, take);
      if (remaining_ == 0 && !finish_frame(nullptr, 0, host)) return i;
    }
    return n;
  }

 private:
  enum class State : uint8_t { Header, Payload, Done };

  template <class Host>
  void fail(uint16_t code, Host& host) {
    state_ = State::Done;
    msg_.release();
    host.on_error(code);
  }

  // Reads header bytes from p[i, n); true when the header is complete (state Payload).
  template <class Host>
  bool read_header(const uint8_t* p, size_t n, size_t& i, Host& host) {
    if (hdr_have_ < 2) {
      while (hdr_have_ < 2 && i < n) hdr_[hdr_have_++] = p[i++];
      if (hdr_have_ < 2) return false;
      if (!check_first_two(host)) return false;
    }
    size_t need = hdr_need_;
    while (hdr_have_ < need && i < n) hdr_[hdr_have_++] = p[i++];
    if (hdr_have_ < need) return false;
    uint8_t len7 = hdr_[1] & 0x7F;
    uint64_t len = len7;
    size_t at = 2;
    if (len7 == 126) {
      len = (uint64_t{hdr_[2]} << 8) | hdr_[3];
      at = 4;
    } else if (len7 == 127) {
      len = 0;
      for (int k = 0; k < 8; k++) len = (len << 8) | hdr_[2 + k];
      at = 10;
      if (len >> 63) {
        fail(kProtocolError, host);
        return false;
      }
    }
    if (masked_) std::memcpy(mask_, hdr_ + at, 4);
    phase_ = 0;
    hdr_have_ = 0;
    remaining_ = len;
    frame_len_ = len;
    if (op_ < 8) {
      uint64_t total = msg_.size() + len;
      if (total > limits_.max_message || total < len) {
        fail(kTooBig, host);
        return false;
      }
      if (op_ != kContinuation) {
        msg_op_ = op_;
        msg_compressed_ = rsv1_;
        check_utf8_ = op_ == kText && !rsv1_;
        utf8_.reset();
      }
    } else {
      ctrl_len_ = 0;
    }
    state_ = State::Payload;
    return true;
  }

  // Validates byte 0 and 1 (fail fast, before an extended length is read).
  template <class Host>
  bool check_first_two(Host& host) {
    uint8_t b0 = hdr_[0], b1 = hdr_[1];
    fin_ = (b0 & 0x80) != 0;
    rsv1_ = (b0 & 0x40) != 0;
    op_ = b0 & 0x0F;
    masked_ = (b1 & 0x80) != 0;
    uint8_t len7 = b1 & 0x7F;
    bool ok = (b0 & 0x30) == 0 && (masked_ || !limits_.require_mask);
    if (op_ >= 8) {
      ok = ok && (op_ == kClose || op_ == kPing || op_ == kPong) && fin_ && len7 <= 125 && !rsv1_;
    } else if (op_ == kContinuation) {
      ok = ok && msg_op_ != 0 && !rsv1_;
    } else {
      ok = ok && (op_ == kText || op_ == kBinary) && msg_op_ == 0 && (!rsv1_ || limits_.allow_rsv1);
    }
    if (!ok) {
      fail(kProtocolError, host);
      return false;
    }
    hdr_need_ = static_cast<uint8_t>(2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked_ ? 4 : 0));
    return true;
  }

  // The current frame is complete. `inplace` is the whole message when it was not copied.
  template <class Host>
  bool finish_frame(const uint8_t* inplace, size_t inplace_len, Host& host) {
    state_ = State::Header;
    if (op_ >= 8) return control(host);
    if (!fin_) return true;
    uint8_t op = msg_op_;
    bool compressed = msg_compressed_;
    msg_op_ = 0;
    if (check_utf8_ && !utf8_.complete()) {
      fail(kInvalidPayload, host);
      return false;
    }
    bool go;
    if (inplace) {
      go = host.on_message(op, inplace, inplace_len, compressed);
    } else {
      go = host.on_message(op, msg_.data(), msg_.size(), compressed);
      msg_.clear();
    }
    return go;
  }

  template <class Host>
  bool control(Host& host) {
    if (op_ != kClose) return host.on_control(op_, ctrl_, ctrl_len_);
    if (ctrl_len_ == 1) {
      fail(kProtocolError, host);
      return false;
    }
    uint16_t code = kNoStatus;
    if (ctrl_len_ >= 2) {
      code = static_cast<uint16_t>((ctrl_[0] << 8) | ctrl_[1]);
      if (!valid_close_code(code)) {
        fail(kProtocolError, host);
        return false;
      }
      if (!valid_utf8(ctrl_ + 2, ctrl_len_ - 2u)) {
        fail(kInvalidPayload, host);
        return false;
      }
    }
    state_ = State::Done;
    msg_.release();
    host.on_close(code, ctrl_len_ >= 2 ? ctrl_ + 2 : ctrl_, ctrl_len_ >= 2 ? ctrl_len_ - 2u : 0u);
    return false;
  }

  Limits limits_;
  State state_ = State::Header;
  uint8_t hdr_[kMaxHeader];
  uint8_t hdr_have_ = 0, hdr_need_ = 2;
  uint8_t op_ = 0, msg_op_ = 0;
  bool fin_ = false, rsv1_ = false, masked_ = false, msg_compressed_ = false, check_utf8_ = false;
  uint8_t mask_[4] = {0, 0, 0, 0};
  uint32_t phase_ = 0;
  uint64_t remaining_ = 0, frame_len_ = 0;
  uint8_t ctrl_[125];
  uint8_t ctrl_len_ = 0;
  Utf8Validator utf8_;
  MessageBuffer msg_;
};

}  // namespace jato::ws
