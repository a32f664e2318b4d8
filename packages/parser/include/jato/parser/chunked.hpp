// jato/parser/chunked.hpp — incremental, zero-copy decoder of a chunked message body (RFC 9112 §7.1).
//
// Contract:
//   ChunkedDecoder d(limits);
//   int64_t used = d.decode(p, n, on_data, on_trailer);
// `p[0, n)` are body bytes that follow the head (or the bytes not consumed by the previous call).
// Returns how many bytes were consumed (0..n), or kFailed (then error(); status_of(error()) is the
// status to answer before closing). The caller keeps the unconsumed bytes p[used, n) and presents them
// again, with more appended, on the next call. Fewer than n bytes are consumed only when
//   - done() became true: the body ended; p[used, n) belongs to the next request, or
//   - a trailer field line is incomplete: it is reported whole, so its bytes wait for their LF (the
//     search for that LF resumes where it stopped, nothing is rescanned).
// Zero-copy: on_data(const uint8_t* data, size_t len) receives views into p (each chunk's data, maybe
// in several pieces); on_trailer(const uint8_t* name, size_t name_len, const uint8_t* value,
// size_t value_len) receives views of each trailer field (value trimmed of OWS). Views are valid as
// long as the caller's buffer is.
// Rules: chunk-size is 1*HEXDIG (overflow-checked); chunk extensions are parsed with BWS and must be
// `;name[=token|quoted-string]` (at most kMaxChunkExtension bytes per chunk line); data must be
// followed by CRLF (else BadChunkData); trailer lines obey the header-line rules (else BadTrailer);
// the body total may not exceed max_body (BodyTooLarge, 413, decided at the chunk-size line); the
// trailer section may not exceed max_head_bytes (HeadTooLarge) nor max_headers fields (TooManyHeaders).
// A bare LF or CR ending a chunk-size line is BareLineFeed / BareCarriageReturn.
// Never allocates, never throws, reads only p[0, n).
#pragma once
#include <cstddef>
#include <cstdint>

#include "jato/parser/chars.hpp"
#include "jato/parser/scan.hpp"
#include "jato/parser/types.hpp"

namespace jato::http {

/** Chunk-extension bytes allowed on one chunk-size line. */
constexpr uint32_t kMaxChunkExtension = 4096;

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(const Limits& limits = Limits{}) noexcept : limits_(limits) {}

  /** Start a new body (keeps the limits). */
  void reset() noexcept {
    state_ = State::SizeStart;
    error_ = Error::None;
    size_ = 0;
    total_ = 0;
    ext_len_ = 0;
    trailer_bytes_ = 0;
    trailer_scanned_ = 0;
    trailers_ = 0;
  }

  bool done() const noexcept { return state_ == State::Done; }
  Error error() const noexcept { return error_; }
  /** Data bytes announced by the chunk-size lines so far. */
  uint64_t body_bytes() const noexcept { return total_; }
  void set_limits(const Limits& limits) noexcept { limits_ = limits; }

  template <class OnData>
  int64_t decode(const uint8_t* p, size_t n, OnData&& on_data) noexcept {
    return decode(p, n, on_data, [](const uint8_t*, size_t, const uint8_t*, size_t) {});
  }

  /** See the file comment. */
  template <class OnData, class OnTrailer>
  int64_t decode(const uint8_t* p, size_t n, OnData&& on_data, OnTrailer&& on_trailer) noexcept {
    if (state_ == State::Failed) return kFailed;
    size_t i = 0;
    while (i < n) {
      if (state_ == State::Done) return static_cast<int64_t>(i);
      if (state_ == State::Data) {
        size_t avail = n - i;
        size_t take = size_ < avail ? static_cast<size_t>(size_) : avail;
        on_data(p + i, take);
        i += take;
        size_ -= take;
        if (size_ == 0) state_ = State::DataCr;
        continue;
      }
      if (state_ == State::Trailer) {
        int64_t r = trailer_line(p + i, n - i, on_trailer);
        if (r < 0) return kFailed;
        if (r == 0) return static_cast<int64_t>(i);  // line incomplete: wait for its LF
        i += static_cast<size_t>(r);
        continue;
      }
      const uint8_t c = p[i++];
      if (!step(c)) return kFailed;
    }
    return static_cast<int64_t>(i);
  }

 private:
  enum class State : uint8_t {
    SizeStart, Size, ExtWsBeforeSemi, ExtBeforeName, ExtName, ExtAfterName, ExtBeforeValue, ExtToken,
    ExtQuoted, ExtQuotedEscape, ExtAfterQuoted, SizeLf, Data, DataCr, DataLf, Trailer, Done, Failed,
  };

  bool fail(Error e) noexcept {
    error_ = e;
    state_ = State::Failed;
    return false;
  }

  bool in_extension() const noexcept {
    return state_ >= State::ExtWsBeforeSemi && state_ <= State::ExtAfterQuoted;
  }

  // End of the chunk-size digits: check the body limit before any data is accepted.
  bool size_done() noexcept {
    if (size_ > limits_.max_body - total_) return fail(Error::BodyTooLarge);
    total_ += size_;
    return true;
  }

  // After CR of a chunk-size line.
  bool line_end(uint8_t c) noexcept {
    if (c == '\r') {
      state_ = State::SizeLf;
      return true;
    }
    return fail(Error::BareLineFeed);  // only called with '\r' or '\n'
  }

  // One byte of the framing (size line, extension, CRLF after data).
  bool step(uint8_t c) noexcept {
    if (in_extension() && ++ext_len_ > kMaxChunkExtension) return fail(Error::BadChunkExtension);
    const bool ws = chars::is_ows(c);
    switch (state_) {
      case State::SizeStart: {
        int h = chars::hex_value(c);
        if (h < 0) return fail(Error::BadChunkSize);
        size_ = static_cast<uint64_t>(h);
        ext_len_ = 0;
        state_ = State::Size;
        return true;
      }
      case State::Size: {
        int h = chars::hex_value(c);
        if (h >= 0) {
          if (size_ >> 59) return fail(Error::BadChunkSize);
          size_ = (size_ << 4) | static_cast<uint64_t>(h);
          return true;
        }
        if (c == ';' || ws || c == '\r' || c == '\n') {
          if (!size_done()) return false;
          if (c == ';') state_ = State::ExtBeforeName;
          else if (ws) state_ = State::ExtWsBeforeSemi;
          else return line_end(c);
          return true;
        }
        return fail(Error::BadChunkSize);
      }
      case State::ExtWsBeforeSemi:
        if (ws) return true;
        if (c == ';') { state_ = State::ExtBeforeName; return true; }
        return fail(Error::BadChunkExtension);
      case State::ExtBeforeName:
        if (ws) return true;
        if (chars::is_tchar(c)) { state_ = State::ExtName; return true; }
        return fail(Error::BadChunkExtension);
      case State::ExtName:
        if (chars::is_tchar(c)) return true;
        if (ws) { state_ = State::ExtAfterName; return true; }
        if (c == '=') { state_ = State::ExtBeforeValue; return true; }
        if (c == ';') { state_ = State::ExtBeforeName; return true; }
        if (c == '\r' || c == '\n') return line_end(c);
        return fail(Error::BadChunkExtension);
      case State::ExtAfterName:
        if (ws) return true;
        if (c == '=') { state_ = State::ExtBeforeValue; return true; }
        if (c == ';') { state_ = State::ExtBeforeName; return true; }
        return fail(Error::BadChunkExtension);
      case State::ExtBeforeValue:
        if (ws) return true;
        if (c == '"') { state_ = State::ExtQuoted; return true; }
        if (chars::is_tchar(c)) { state_ = State::ExtToken; return true; }
        return fail(Error::BadChunkExtension);
      case State::ExtToken:
        if (chars::is_tchar(c)) return true;
        if (ws) { state_ = State::ExtWsBeforeSemi; return true; }
        if (c == ';') { state_ = State::ExtBeforeName; return true; }
        if (c == '\r' || c == '\n') return line_end(c);
        return fail(Error::BadChunkExtension);
      case State::ExtQuoted:
        if (c == '"') { state_ = State::ExtAfterQuoted; return true; }
        if (c == '\\') { state_ = State::ExtQuotedEscape; return true; }
        if (chars::kQdtext[c]) return true;
        return fail(Error::BadChunkExtension);
      case State::ExtQuotedEscape:
        if (c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7F)) { state_ = State::ExtQuoted; return true; }
        return fail(Error::BadChunkExtension);
      case State::ExtAfterQuoted:
        if (ws) { state_ = State::ExtWsBeforeSemi; return true; }
        if (c == ';') { state_ = State::ExtBeforeName; return true; }
        if (c == '\r' || c == '\n') return line_end(c);
        return fail(Error::BadChunkExtension);
      case State::SizeLf:
        if (c != '\n') return fail(Error::BareCarriageReturn);
        if (size_ == 0) {
          state_ = State::Trailer;
          trailer_scanned_ = 0;
        } else {
          state_ = State::Data;
        }
        return true;
      case State::DataCr:
        if (c != '\r') return fail(Error::BadChunkData);
        state_ = State::DataLf;
        return true;
      case State::DataLf:
        if (c != '\n') return fail(Error::BadChunkData);
        state_ = State::SizeStart;
        return true;
      default:
        return fail(Error::BadChunkData);  // unreachable: Data/Trailer/Done are handled by decode()
    }
  }

  // One trailer line (or the final empty line) starting at q[0]. Returns bytes consumed, 0 when the
  // line is not complete yet, or kFailed.
  template <class OnTrailer>
  int64_t trailer_line(const uint8_t* q, size_t n, OnTrailer& on_trailer) noexcept {
    const size_t budget = limits_.max_head_bytes > trailer_bytes_ ? limits_.max_head_bytes - trailer_bytes_ : 0;
    size_t from = trailer_scanned_ < n ? trailer_scanned_ : n;
    size_t lf = from + scan_lf(q + from, n - from);
    if (lf >= n) {
      trailer_scanned_ = static_cast<uint32_t>(n);
      if (n >= budget) return fail(Error::HeadTooLarge), kFailed;
      return 0;
    }
    const size_t line_len = lf + 1;
    if (line_len > budget) return fail(Error::HeadTooLarge), kFailed;
    trailer_bytes_ += static_cast<uint32_t>(line_len);
    trailer_scanned_ = 0;
    if (lf == 0 || q[lf - 1] != '\r') return fail(Error::BadTrailer), kFailed;
    if (lf == 1) {  // CRLF: end of the trailer section and of the body
      state_ = State::Done;
      return static_cast<int64_t>(line_len);
    }
    const size_t cr = lf - 1;
    size_t i = 0;
    while (i < cr && chars::is_tchar(q[i])) ++i;
    if (i == 0 || i >= cr || q[i] != ':') return fail(Error::BadTrailer), kFailed;
    const size_t name_len = i;
    ++i;
    while (i < cr && chars::is_ows(q[i])) ++i;
    const size_t v = i;
    i += scan_value(q + i, cr - i);
    if (i != cr) return fail(Error::BadTrailer), kFailed;
    size_t ve = cr;
    while (ve > v && chars::is_ows(q[ve - 1])) --ve;
    if (++trailers_ > limits_.max_headers) return fail(Error::TooManyHeaders), kFailed;
    on_trailer(q, name_len, q + v, ve - v);
    return static_cast<int64_t>(line_len);
  }

  Limits limits_;
  State state_ = State::SizeStart;
  Error error_ = Error::None;
  uint64_t size_ = 0;            // digits so far, then data bytes left in the current chunk
  uint64_t total_ = 0;           // data bytes announced so far
  uint32_t ext_len_ = 0;         // extension bytes on the current chunk-size line
  uint32_t trailer_bytes_ = 0;   // trailer section bytes consumed
  uint32_t trailer_scanned_ = 0; // bytes of the pending trailer line already searched for LF
  uint32_t trailers_ = 0;        // trailer fields seen
};

}  // namespace jato::http
