// jato/parser/framer.hpp — frames a connection's pipelined requests: the one framing loop used by
// the server (@jato/native-loop), the parser binding's stream and the fuzz target.
//
// Contract:
//   Framer f(limits, skip_empty_lines);
//   size_t used = f.frame(p, n, host, headers, cap);
// `p[0, n)` are the connection's bytes not consumed by earlier calls, with new ones appended (the
// buffer may move between calls). Every complete request is handed to `host.on_request` with its
// head bytes and its body, both in `p`: a Content-Length body as it arrived, a chunked body decoded
// IN PLACE (the payload is moved down over the framing bytes, so p is written to). Returns the bytes
// consumed; the caller keeps p[used, n) and presents them again with more bytes appended. `n` may
// shrink: a partial chunked body is compacted, and only p[0, n) is meaningful afterwards.
// After an error, a request that is not keep-alive, or a host hook that says stop, the framer is
// finished (done()): the call returns n (the rest is dropped) and every later call returns its n.
// Errors are values: host.on_error(e) once, then done(); status_of(e) is the status to answer.
//
// The Host (a template parameter, so each hook inlines):
//   bool may_start()                 before framing the next request (at a request boundary): false
//                                    pauses framing there (backpressure); the rest is kept.
//   void on_head_start()             the first byte of a request head is about to be parsed.
//   bool on_body_start(const RequestHead&, size_t body_have)
//                                    the head is parsed and its body is not complete yet.
//   bool on_request(const char* msg, const RequestHead&, size_t head_len, const Header* headers,
//                   const char* body, size_t body_len)
//                                    a complete request: msg[0, head_len) is the head (spans are
//                                    relative to msg), body[0, body_len) the (decoded) body.
//   void on_trailer(const uint8_t* name, size_t name_len, const uint8_t* value, size_t value_len)
//                                    a trailer field of the chunked body being decoded (views into p,
//                                    valid during the call).
//   void on_error(Error e)           framing failed; nothing more is framed.
// A hook returning false finishes the framer (it returns n at once).
// `headers[0, cap)` is scratch (may be shared between framers); cap should be max_headers + 1.
// Empty lines before a request-line are skipped when `skip_empty_lines` (RFC 9112 §2.2: a server
// SHOULD ignore at least one), else they are a parse error like any other byte.
// Memory: the framer holds no bytes; the caller's buffer holds at most the request at the front
// (≤ max_head_bytes + max_body plus the undecoded chunk framing of one read) and whatever follows.
// Never allocates, never throws.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "jato/parser/chunked.hpp"
#include "jato/parser/head_parser.hpp"
#include "jato/parser/types.hpp"

namespace jato::http {

class Framer {
 public:
  /** Where the request at the front of the buffer is. */
  enum class Phase : uint8_t { Idle, Head, Body, Chunked, Done };

  explicit Framer(const Limits& limits = Limits{}, bool skip_empty_lines = true) noexcept
      : hp_(limits), cd_(limits), limits_(limits), skip_empty_lines_(skip_empty_lines) {}

  void set_limits(const Limits& limits) noexcept {
    limits_ = limits;
    hp_.set_limits(limits);
    cd_.set_limits(limits);
  }
  Phase phase() const noexcept { return phase_; }
  bool done() const noexcept { return phase_ == Phase::Done; }
  /** The error that finished the framer (Error::None otherwise). */
  Error error() const noexcept { return error_; }
  /** Body bytes received (Content-Length) or announced (chunked) in the current body phase. */
  uint64_t body_seen() const noexcept { return body_seen_; }
  /** Valid while phase() is Body or Chunked: the head of the request whose body is coming. */
  const RequestHead& pending_head() const noexcept { return pending_; }
  /** Stop framing (e.g. the connection timed out): every later call drops its bytes. */
  void finish() noexcept { phase_ = Phase::Done; }

  /** See the file comment. Always inlined: the host's fields then live in registers of the caller. */
  template <class Host>
  __attribute__((always_inline)) inline size_t frame(char* p, size_t& n, Host& host, Header* hdrs,
                                                     uint32_t cap) noexcept {
    size_t pos = 0;
    RequestHead h;
    while (pos < n) {
      char* q = p + pos;
      auto* uq = reinterpret_cast<const uint8_t*>(q);
      const size_t avail = n - pos;
      switch (phase_) {
        case Phase::Done:
          return n;
        case Phase::Idle:
          if (!host.may_start()) return pos;
          if (skip_empty_lines_ && (q[0] == '\r' || q[0] == '\n')) {
            size_t skip = 1;
            while (skip < avail && (q[skip] == '\r' || q[skip] == '\n')) skip++;
            pos += skip;
            continue;
          }
          phase_ = Phase::Head;
          hp_.reset();
          host.on_head_start();
          [[fallthrough]];
        case Phase::Head: {
          int64_t r = hp_.parse(uq, avail, h, hdrs, cap);
          if (r == kIncomplete) return pos;
          if (r < 0) return fail(host, hp_.error(), n);
          const size_t hl = static_cast<size_t>(r);
          if (h.body == BodyKind::None) {
            phase_ = Phase::Idle;
            if (!deliver(host, q, h, hl, hdrs, nullptr, 0)) return n;
            pos += hl;
            continue;
          }
          if (h.body == BodyKind::Length) {
            if (h.content_length > limits_.max_body) return fail(host, Error::BodyTooLarge, n);
            const uint64_t total = hl + h.content_length;
            if (avail >= total) {
              phase_ = Phase::Idle;
              if (!deliver(host, q, h, hl, hdrs, q + hl, static_cast<size_t>(h.content_length))) return n;
              pos += static_cast<size_t>(total);
              continue;
            }
            phase_ = Phase::Body;
            msg_total_ = total;
            head_len_ = static_cast<uint32_t>(hl);
            body_seen_ = avail - hl;
            pending_ = h;
            if (!host.on_body_start(h, avail - hl)) return stop(n);
            return pos;
          }
          phase_ = Phase::Chunked;
          head_len_ = static_cast<uint32_t>(hl);
          cd_.reset();
          chunk_raw_ = hl;
          chunk_out_ = hl;
          body_seen_ = 0;
          pending_ = h;
          if (!host.on_body_start(h, avail - hl)) return stop(n);
          continue;  // decode what is already here
        }
        case Phase::Body: {
          if (avail < msg_total_) {
            body_seen_ = avail - head_len_;
            return pos;
          }
          if (!reparse(host, uq, h, hdrs, cap)) return n;
          phase_ = Phase::Idle;
          if (!deliver(host, q, h, head_len_, hdrs, q + head_len_, static_cast<size_t>(h.content_length))) return n;
          pos += static_cast<size_t>(msg_total_);
          continue;
        }
        case Phase::Chunked: {
          // decode in place: payload moves down to q + out (out <= raw), framing bytes are dropped
          size_t raw = chunk_raw_, out = chunk_out_;
          int64_t used = cd_.decode(
              uq + raw, avail - raw,
              [&](const uint8_t* d, size_t len) {
                std::memmove(q + out, d, len);
                out += len;
              },
              [&](const uint8_t* nm, size_t nl, const uint8_t* v, size_t vl) { host.on_trailer(nm, nl, v, vl); });
          body_seen_ = cd_.body_bytes();
          if (used < 0) return fail(host, cd_.error(), n);
          raw += static_cast<size_t>(used);
          if (!cd_.done()) {
            if (raw > out) {  // compact: keep head + decoded body + the undecoded tail
              std::memmove(q + out, q + raw, avail - raw);
              n -= raw - out;
            }
            chunk_raw_ = out;
            chunk_out_ = out;
            return pos;
          }
          if (!reparse(host, uq, h, hdrs, cap)) return n;
          phase_ = Phase::Idle;
          if (!deliver(host, q, h, head_len_, hdrs, q + head_len_, out - head_len_)) return n;
          pos += raw;
          continue;
        }
      }
    }
    return pos;
  }

 private:
  template <class Host>
  size_t fail(Host& host, Error e, size_t n) noexcept {
    phase_ = Phase::Done;
    error_ = e == Error::None ? Error::BadRequestLine : e;
    host.on_error(error_);
    return n;
  }

  size_t stop(size_t n) noexcept {
    phase_ = Phase::Done;
    return n;
  }

  // Hands a complete request over; false when the framer is finished after it.
  template <class Host>
  bool deliver(Host& host, const char* q, const RequestHead& h, size_t hl, const Header* hdrs, const char* body,
               size_t body_len) noexcept {
    if (!host.on_request(q, h, hl, hdrs, body, body_len) || !h.keep_alive) {
      phase_ = Phase::Done;
      return false;
    }
    return true;
  }

  // The body is complete: parse its head again to refill the (shared) header scratch.
  template <class Host>
  bool reparse(Host& host, const uint8_t* uq, RequestHead& h, Header* hdrs, uint32_t cap) noexcept {
    hp_.reset();
    if (hp_.parse(uq, head_len_, h, hdrs, cap) < 0) {  // cannot happen for bytes that parsed before
      fail(host, hp_.error(), 0);
      return false;
    }
    return true;
  }

  HeadParser hp_;       // resumable: a partial head is not rescanned when bytes arrive
  ChunkedDecoder cd_;
  Limits limits_;
  RequestHead pending_;       // Body / Chunked: the head whose body is coming
  uint64_t msg_total_ = 0;    // Body: head length + Content-Length
  uint64_t body_seen_ = 0;
  size_t chunk_raw_ = 0;      // Chunked: next undecoded byte, relative to the message start
  size_t chunk_out_ = 0;      // Chunked: end of the decoded body, relative to the message start
  uint32_t head_len_ = 0;     // Body / Chunked: length of the parsed head
  Phase phase_ = Phase::Idle;
  Error error_ = Error::None;
  bool skip_empty_lines_;
};

}  // namespace jato::http
