// response_order.hpp — per-connection response sequencing, plain C++ (no libuv, no Node-API).
// Requests get sequence numbers 0, 1, 2, … (Assign); their responses may complete in any order and
// are written strictly in that order: the one whose turn it is goes out at once (with every held one
// it unblocks), one that completes early is held as a copy. The response after which the connection
// ends (a `close` response, or the request given to EndAfter) is the last one written; later ones
// are dropped. Stale, duplicate and never-assigned sequence numbers are ignored.
// Contract: the Out of Complete receives the bytes in wire order through
//   out.Write(const char* p, size_t len, bool stable)   (p valid for the call only unless stable)
//   out.WriteOwned(std::string&& bytes)                   (a held response, handed over)
// Memory: at most one held copy per assigned, unanswered request (bounded by maxInFlight).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace jato::loop {

class ResponseOrder {
 public:
  /** What Complete did with a response. */
  enum class Outcome : uint8_t {
    Ignored,  // stale, duplicate or unknown sequence number: nothing changed
    Dropped,  // the connection is finishing: a response after the last one
    Held,     // completed early: copied, written when its turn comes
    Written,  // its turn: handed to Out (with the held ones it unblocked)
  };

  /** The sequence number of the next request. */
  uint32_t Assign() { return next_++; }
  /** The connection ends after the response to `seq` (a request that is not keep-alive). */
  void EndAfter(uint32_t seq) { close_seq_ = seq; }

  uint32_t next_seq() const { return next_; }
  uint32_t write_seq() const { return write_; }
  /** A closing response was written: nothing more goes out. */
  bool finished() const { return finished_; }
  /** Every assigned request's response was written (or the connection finished). */
  bool all_written() const { return write_ == next_; }
  bool held_empty() const { return held_.empty(); }
  size_t held_bytes() const { return held_bytes_; }

  template <class Out>
  Outcome Complete(uint32_t seq, const char* p, size_t len, bool close, bool stable, Out& out) {
    if (seq == write_ && seq != next_ && held_.empty() && !finished_) {  // in order, nothing held
      out.Write(p, len, stable);
      Advance(close);
      return Outcome::Written;
    }
    if (seq < write_ || seq >= next_ || held_.count(seq)) return Outcome::Ignored;
    if (finished_) return Outcome::Dropped;
    if (seq != write_) {
      Held& h = held_[seq];
      h.bytes.assign(p, len);
      h.close = close;
      held_bytes_ += len;
      return Outcome::Held;
    }
    out.Write(p, len, stable);
    Advance(close);
    while (!finished_ && !held_.empty() && held_.begin()->first == write_) {
      auto it = held_.begin();
      held_bytes_ -= it->second.bytes.size();
      bool cl = it->second.close;
      out.WriteOwned(std::move(it->second.bytes));
      held_.erase(it);
      Advance(cl);
    }
    if (finished_) {
      held_.clear();
      held_bytes_ = 0;
    }
    return Outcome::Written;
  }

 private:
  struct Held {
    std::string bytes;
    bool close = false;
  };

  void Advance(bool close) {
    if (close || write_ == close_seq_) {
      close_seq_ = write_;
      finished_ = true;
    }
    write_++;
  }

  uint32_t next_ = 0;
  uint32_t write_ = 0;
  uint32_t close_seq_ = UINT32_MAX;
  bool finished_ = false;
  std::map<uint32_t, Held> held_;
  size_t held_bytes_ = 0;
};

}  // namespace jato::loop
