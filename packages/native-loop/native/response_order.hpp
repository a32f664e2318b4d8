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
// Streamed responses (Stream): Open writes the head and keeps the turn (later responses are held)
// until End (the next ones follow) or Abort (nothing more goes out: the connection finishes); a
// stream that opens before its turn is held and collects its Data until then (its producer is
// throttled by the connection's unsent output, which counts held bytes).
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

  /** What a streamed-response row does. */
  enum class StreamOp : uint8_t { Open, Data, End, Abort };
  /** A streamed response holds the turn (its seq is write_seq()). */
  bool streaming() const { return streaming_; }

  template <class Out>
  Outcome Stream(uint32_t seq, const char* p, size_t len, StreamOp op, bool close, bool stable, Out& out) {
    if (seq < write_ || seq >= next_) return Outcome::Ignored;
    if (finished_) return Outcome::Dropped;
    if (seq == write_) {
      if (op == StreamOp::Open) {
        if (streaming_) return Outcome::Ignored;  // opened twice
        out.Write(p, len, stable);
        streaming_ = true;
        return Outcome::Written;
      }
      if (!streaming_) return Outcome::Ignored;  // never opened
      out.Write(p, len, stable);
      if (op == StreamOp::Data) return Outcome::Written;
      streaming_ = false;
      if (op == StreamOp::Abort) Finish();
      else Advance(close);
      Release(out);
      return Outcome::Written;
    }
    auto it = held_.find(seq);
    if (op == StreamOp::Open) {
      if (it != held_.end()) return Outcome::Ignored;
      Held& h = held_[seq];
      h.bytes.assign(p, len);
      h.open = true;
      h.close = close;
      held_bytes_ += len;
      return Outcome::Held;
    }
    if (it == held_.end() || !it->second.open) return Outcome::Ignored;
    it->second.bytes.append(p, len);
    held_bytes_ += len;
    if (op != StreamOp::Data) {
      it->second.open = false;
      it->second.abort = op == StreamOp::Abort;
      it->second.close = close;
    }
    return Outcome::Held;
  }

  template <class Out>
  Outcome Complete(uint32_t seq, const char* p, size_t len, bool close, bool stable, Out& out) {
    if (seq == write_ && seq != next_ && held_.empty() && !finished_ && !streaming_) {  // in order, nothing held
      out.Write(p, len, stable);
      Advance(close);
      return Outcome::Written;
    }
    if (seq < write_ || seq >= next_ || held_.count(seq)) return Outcome::Ignored;
    if (finished_) return Outcome::Dropped;
    if (streaming_ && seq == write_) return Outcome::Ignored;  // the stream in progress has this seq
    if (seq != write_) {
      Held& h = held_[seq];
      h.bytes.assign(p, len);
      h.close = close;
      held_bytes_ += len;
      return Outcome::Held;
    }
    out.Write(p, len, stable);
    Advance(close);
    Release(out);
    return Outcome::Written;
  }

 private:
  struct Held {
    std::string bytes;
    bool close = false;
    bool open = false;   // a streamed response that has not ended
    bool abort = false;  // a streamed response that was aborted
  };

  /** Writes the held responses whose turn has come, up to a streamed one still open. */
  template <class Out>
  void Release(Out& out) {
    while (!finished_ && !streaming_ && !held_.empty() && held_.begin()->first == write_) {
      auto it = held_.begin();
      held_bytes_ -= it->second.bytes.size();
      bool cl = it->second.close, open = it->second.open, abort = it->second.abort;
      out.WriteOwned(std::move(it->second.bytes));
      held_.erase(it);
      if (open) streaming_ = true;
      else if (abort) Finish();
      else Advance(cl);
    }
    if (finished_) {
      held_.clear();
      held_bytes_ = 0;
    }
  }

  /** Nothing more goes out after what was written (an aborted stream). */
  void Finish() {
    close_seq_ = write_;
    finished_ = true;
    write_++;
  }

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
  bool streaming_ = false;
  std::map<uint32_t, Held> held_;
  size_t held_bytes_ = 0;
};

}  // namespace jato::loop
