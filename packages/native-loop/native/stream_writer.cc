// stream_writer.cc — streamed responses on the native loop. JS writes a streamed response as rows
// like any other (so its chunks of one loop turn are gathered into the connection's one write):
// kOutStreamOpen carries the head, kOutStreamData body bytes, kOutStreamEnd / kOutStreamAbort end it
// (with or without bytes). ResponseOrder keeps later responses held until the stream ends. A row
// flagged kOutWantDrain (the producer was told to wait) asks for one drain notice, sent when the
// connection's unsent output (pending + writing, + held unless a stream has the turn) is under the
// high-water mark: the id with kDrainBit set in the closed list of the next per-turn call, never one
// call per chunk.
#include <string>
#include <utility>

#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

void Server::DeliverStream(Connection* c, uint32_t seq, const char* p, size_t len, uint32_t flags) {
  if (c->closing) return;
  using Op = ResponseOrder::StreamOp;
  Op op = (flags & kOutStreamOpen)    ? Op::Open
          : (flags & kOutStreamEnd)   ? Op::End
          : (flags & kOutStreamAbort) ? Op::Abort
                                      : Op::Data;
  // gathers what ResponseOrder releases, like writer.cc's OrderOut (rows are stable arena bytes)
  struct Out {
    Server* s;
    Connection* c;
    void Write(const char* q, size_t n, bool stable) const {
      if (!stable) {
        c->gather_keep.emplace_back(q, n);
        q = c->gather_keep.back().data();
      }
      s->Gather(c, q, n);
    }
    void WriteOwned(std::string&& bytes) const {
      c->gather_keep.push_back(std::move(bytes));
      const std::string& k = c->gather_keep.back();
      s->Gather(c, k.data(), k.size());
    }
  } out{this, c};
  if (c->order.Stream(seq, p, len, op, (flags & kOutClose) != 0, true, out) == ResponseOrder::Outcome::Ignored) return;
  if (op == Op::End || op == Op::Abort) {
    if (c->in_flight) c->in_flight--;
    if (stats_.in_flight) stats_.in_flight--;
  }
  // an end without kOutWantDrain: no stream of the connection waits for a drain any more (JS flags
  // the end when a later one does), so a notice asked for by this stream's last chunks is not sent
  if (flags & kOutWantDrain) c->drain_wanted = true;
  else if (op == Op::End || op == Op::Abort) c->drain_wanted = false;
  if (c->order.finished()) {
    c->close_after_write = true;
    c->input_done = true;
  }
}

// While a stream holds the turn, held bytes (later responses, streams opened early) do not count: only
// the current stream can make progress, and JS wakes only it (the lowest seq of the connection), so
// a held stream that filled the mark cannot block the one it waits for. Otherwise (no stream has the
// turn) every unsent byte counts, held ones too: a held stream is not woken to grow them.
void Server::MaybeDrain(Connection* c) {
  if (c->closing) return;
  size_t unsent = c->out_pending.size() + c->out_writing.size();
  if (!c->order.streaming()) unsent += c->order.held_bytes();
  if (unsent >= opt_.high_water_mark) return;
  c->drain_wanted = false;
  closed_ids_.push_back(c->id | kDrainBit);
  Wake();
}

}  // namespace jato::loop
