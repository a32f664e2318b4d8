// native/stream.hpp — a whole-connection request stream: jato::http::Framer (the server's own framing
// loop) over an accumulation buffer, with every request copied out. Used by the Node binding
// (tests/tools) and by the native tests and fuzzer to check that any split of the input gives the
// same requests. Not the server hot path.
// Contract: push(bytes) appends and frames every request it can; completed requests are appended to
// `out` (copies, owned). After an error every push returns the same error; after a request that is
// not keep-alive the stream is Done and ignores further bytes. `skip_empty_lines` is the server's
// RFC 9112 §2.2 leniency (off by default: the binding and the TS twin treat them as errors).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jato/parser/framer.hpp"
#include "jato/parser/parser.hpp"

namespace jato::http::native {

/** One complete request with owned copies of its bytes. */
struct OwnedRequest {
  RequestHead head;                  // spans are into `bytes`
  std::string bytes;                 // the head bytes
  std::vector<Header> headers;
  std::string body;                  // decoded body
  std::vector<std::pair<std::string, std::string>> trailers;
};

class Stream {
 public:
  enum class State : uint8_t { Idle = 0, Head, Body, Done };

  explicit Stream(const Limits& limits = Limits{}, bool skip_empty_lines = false)
      : framer_(limits, skip_empty_lines), headers_(limits.max_headers + 1) {}

  State state() const noexcept {
    switch (framer_.phase()) {
      case Framer::Phase::Idle: return State::Idle;
      case Framer::Phase::Head: return State::Head;
      case Framer::Phase::Body:
      case Framer::Phase::Chunked: return State::Body;
      default: return State::Done;
    }
  }
  Error error() const noexcept { return framer_.error(); }
  /** Valid while state() == Body: the head of the request whose body is being received. */
  const RequestHead& current() const noexcept { return framer_.pending_head(); }

  /** Feed bytes; appends completed requests to `out`. Returns error() (None when fine). */
  Error push(const uint8_t* p, size_t n, std::vector<OwnedRequest>& out) {
    if (framer_.done()) return framer_.error();
    if (start_ > 0 && start_ == buf_.size()) {
      buf_.clear();
      start_ = 0;
    } else if (start_ > 65536 && start_ * 2 > buf_.size()) {
      buf_.erase(0, start_);
      start_ = 0;
    }
    buf_.append(reinterpret_cast<const char*>(p), n);
    Host host{out, trailers_};
    size_t len = buf_.size() - start_;
    size_t used = framer_.frame(&buf_[0] + start_, len, host, headers_.data(), static_cast<uint32_t>(headers_.size()));
    buf_.resize(start_ + len);  // a chunked body decoded in place gave back its framing bytes
    start_ += used;
    return framer_.error();
  }

 private:
  struct Host {
    std::vector<OwnedRequest>& out;
    std::vector<std::pair<std::string, std::string>>& trailers;
    bool may_start() { return true; }
    void on_head_start() { trailers.clear(); }
    bool on_body_start(const RequestHead&, size_t) { return true; }
    void on_trailer(const uint8_t* nm, size_t nl, const uint8_t* v, size_t vl) {
      trailers.emplace_back(std::string(reinterpret_cast<const char*>(nm), nl),
                            std::string(reinterpret_cast<const char*>(v), vl));
    }
    bool on_request(const char* msg, const RequestHead& h, size_t head_len, const Header* hs, const char* body,
                    size_t body_len) {
      OwnedRequest r;
      r.head = h;
      r.bytes.assign(msg, head_len);
      r.headers.assign(hs, hs + h.num_headers);
      r.body.assign(body ? body : "", body_len);
      r.trailers.swap(trailers);
      out.push_back(std::move(r));
      return true;
    }
    void on_error(Error) {}
  };

  Framer framer_;
  std::vector<Header> headers_;
  std::string buf_;
  size_t start_ = 0;
  std::vector<std::pair<std::string, std::string>> trailers_;  // of the request being framed
};

}  // namespace jato::http::native
