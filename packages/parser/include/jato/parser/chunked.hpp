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
// trailer section may not exceed max_head_bytes including its final CRLF (HeadTooLarge, decided at the
// byte that reaches the limit) nor max_headers fields (TooManyHeaders).
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
    tstate_ = TState::LineStart;
    name_len_ = 0;
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
          tstate_ = TState::LineStart;
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

  // One trailer line (or the final CRLF) starting at q[0], validated byte by byte from where the last
  // call stopped (decisions fall on the offending byte, as in the head parser). Returns the bytes
  // consumed (the whole line once its LF is there), 0 when the line is not complete, or kFailed.
  // Every trailer byte except the final LF counts against max_head_bytes.
  template <class OnTrailer>
  int64_t trailer_line(const uint8_t* q, size_t n, OnTrailer& on_trailer) noexcept {
    size_t i = trailer_scanned_;
    for (; i < n; ++i) {
      const uint8_t c = q[i];
      if (tstate_ == TState::FinalLf) {
        if (c != '\n') return fail(Error::BadTrailer), kFailed;
        state_ = State::Done;
        return static_cast<int64_t>(i + 1);
      }
      switch (tstate_) {
        case TState::LineStart:
          if (c == '\r') { tstate_ = TState::FinalLf; break; }
          if (trailers_ >= limits_.max_headers) return fail(Error::TooManyHeaders), kFailed;
          if (!chars::is_tchar(c)) return fail(Error::BadTrailer), kFailed;
          tstate_ = TState::Name;
          break;
        case TState::Name:
          if (c == ':') { name_len_ = static_cast<uint32_t>(i); tstate_ = TState::Value; break; }
          if (!chars::is_tchar(c)) return fail(Error::BadTrailer), kFailed;
          break;
        case TState::Value:
          if (c == '\r') { tstate_ = TState::ValueLf; break; }
          if (!chars::kValue[c]) return fail(Error::BadTrailer), kFailed;
          break;
        case TState::ValueLf: {
          if (c != '\n') return fail(Error::BadTrailer), kFailed;
          size_t v = name_len_ + 1, ve = i - 1;
          while (v < ve && chars::is_ows(q[v])) ++v;
          while (ve > v && chars::is_ows(q[ve - 1])) --ve;
          ++trailers_;
          on_trailer(q, static_cast<size_t>(name_len_), q + v, ve - v);
          tstate_ = TState::LineStart;
          trailer_scanned_ = 0;
          if (++trailer_bytes_ >= limits_.max_head_bytes) return fail(Error::HeadTooLarge), kFailed;
          return static_cast<int64_t>(i + 1);
        }
        default: break;
      }
      if (++trailer_bytes_ >= limits_.max_head_bytes) return fail(Error::HeadTooLarge), kFailed;
    }
    trailer_scanned_ = static_cast<uint32_t>(n);
    return 0;
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
  enum class TState : uint8_t { LineStart, Name, Value, ValueLf, FinalLf };
  TState tstate_ = TState::LineStart;  // where the pending trailer line stands
  uint32_t name_len_ = 0;              // name length of the pending trailer line
};

}  // namespace jato::http
