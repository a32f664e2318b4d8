// native/stream.hpp — a whole-connection request stream over HeadParser + ChunkedDecoder, with its own
// accumulation buffer. Used by the Node binding (tests/tools) and by the native tests and fuzzer to
// check that any split of the input gives the same requests. Not the server hot path.
// Contract: push(bytes) appends and frames every request it can; completed requests are appended to
// `out` (copies, owned). After an error every push returns the same error; after a request that is
// not keep-alive the stream is Done and ignores further bytes.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

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

  explicit Stream(const Limits& limits = Limits{})
      : limits_(limits), hp_(limits), cd_(limits), headers_(limits.max_headers) {}

  State state() const noexcept { return error_ != Error::None ? State::Done : state_; }
  Error error() const noexcept { return error_; }
  /** Valid while state() == Body: the head of the request whose body is being received. */
  const OwnedRequest& current() const noexcept { return cur_; }

  /** Feed bytes; appends completed requests to `out`. Returns error() (None when fine). */
  Error push(const uint8_t* p, size_t n, std::vector<OwnedRequest>& out) {
    if (error_ != Error::None || state_ == State::Done) return error_;
    if (start_ > 0 && start_ == buf_.size()) {
      buf_.clear();
      start_ = 0;
    } else if (start_ > 65536 && start_ * 2 > buf_.size()) {
      buf_.erase(0, start_);
      start_ = 0;
    }
    buf_.append(reinterpret_cast<const char*>(p), n);
    for (;;) {
      const uint8_t* b = reinterpret_cast<const uint8_t*>(buf_.data()) + start_;
      const size_t avail = buf_.size() - start_;
      if (state_ == State::Idle || state_ == State::Head) {
        if (avail == 0) {
          state_ = State::Idle;
          break;
        }
        state_ = State::Head;
        RequestHead h;
        int64_t r = hp_.parse(b, avail, h, headers_.data(), static_cast<uint32_t>(headers_.size()));
        if (r == kIncomplete) break;
        if (r < 0) return fail(hp_.error());
        hp_.reset();
        cur_ = OwnedRequest{};
        cur_.head = h;
        cur_.bytes.assign(reinterpret_cast<const char*>(b), static_cast<size_t>(r));
        cur_.headers.assign(headers_.begin(), headers_.begin() + h.num_headers);
        start_ += static_cast<size_t>(r);
        if (h.body == BodyKind::Chunked) {
          cd_.reset();
          state_ = State::Body;
        } else if (h.body == BodyKind::Length && h.content_length > 0) {
          remaining_ = h.content_length;
          state_ = State::Body;
        } else {
          emit(out);
        }
        continue;
      }
      if (state_ == State::Body) {
        if (cur_.head.body == BodyKind::Length) {
          size_t take = remaining_ < avail ? static_cast<size_t>(remaining_) : avail;
          cur_.body.append(reinterpret_cast<const char*>(b), take);
          start_ += take;
          remaining_ -= take;
          if (remaining_ > 0) break;
          emit(out);
          continue;
        }
        int64_t used = cd_.decode(
            b, avail, [this](const uint8_t* d, size_t l) { cur_.body.append(reinterpret_cast<const char*>(d), l); },
            [this](const uint8_t* nm, size_t nl, const uint8_t* v, size_t vl) {
              cur_.trailers.emplace_back(std::string(reinterpret_cast<const char*>(nm), nl),
                                         std::string(reinterpret_cast<const char*>(v), vl));
            });
        if (used < 0) return fail(cd_.error());
        start_ += static_cast<size_t>(used);
        if (!cd_.done()) break;
        emit(out);
        continue;
      }
      break;  // Done
    }
    return error_;
  }

 private:
  Error fail(Error e) {
    error_ = e;
    return e;
  }

  void emit(std::vector<OwnedRequest>& out) {
    const bool keep = cur_.head.keep_alive;
    out.push_back(std::move(cur_));
    cur_ = OwnedRequest{};
    state_ = keep ? State::Idle : State::Done;
  }

  Limits limits_;
  HeadParser hp_;
  ChunkedDecoder cd_;
  std::vector<Header> headers_;
  std::string buf_;
  size_t start_ = 0;
  uint64_t remaining_ = 0;
  State state_ = State::Idle;
  Error error_ = Error::None;
  OwnedRequest cur_;
};

}  // namespace jato::http::native
