// writer.cc — responses: rows JS wrote into the output table, put in sequence by the connection's
// ResponseOrder, gathered per connection and written with one non-blocking write (TryWrite; then at
// most one uv_write in flight per connection); what happens once a connection's output is idle.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "server.hpp"
#include "server_internal.hpp"
#include "gather_write.hpp"
#include "socket_write.hpp"

namespace jato::loop {

// One non-blocking write of c->gather (nothing of this connection is queued in libuv: the callers
// check, so byte order holds). On Linux straight to the socket (socket_write.hpp: send/sendmsg, the
// errors uv_try_write would give); elsewhere uv_try_write. Returns bytes written or a uv error.
static int TryWrite(Connection* c) {
#if defined(JATO_SOCKET_WRITE)
  static_assert(sizeof(uv_buf_t) == sizeof(iovec) && offsetof(uv_buf_t, base) == offsetof(iovec, iov_base) &&
                    offsetof(uv_buf_t, len) == offsetof(iovec, iov_len),
                "uv_buf_t is an iovec on Unix");
  const int fd = c->tcp.io_watcher.fd;  // the stream's socket (what uv_fileno returns), -1 once closed
  if (fd >= 0) {
    // FlushConn keeps the list at most kMaxIov (< IOV_MAX) long
    return static_cast<int>(SocketWrite(fd, reinterpret_cast<const iovec*>(c->gather.data()), c->gather.size()));
  }
#endif
  return uv_try_write(reinterpret_cast<uv_stream_t*>(&c->tcp), c->gather.data(), static_cast<unsigned>(c->gather.size()));
}

void Server::Gather(Connection* c, const char* p, size_t len) {
  if (len == 0) return;
  if (!c->gather.empty()) {
    uv_buf_t& last = c->gather.back();
    if (last.base + last.len == p) {
      last.len += len;
      return;
    }
  }
  c->gather.push_back(uv_buf_init(const_cast<char*>(p), static_cast<unsigned>(len)));
}

// Gathers what ResponseOrder releases, in wire order.
struct Server::OrderOut {
  Server* s;
  Connection* c;
  void Write(const char* p, size_t len, bool stable) const {
    if (stable) {
      s->Gather(c, p, len);
      return;
    }
    c->gather_keep.emplace_back(p, len);
    const std::string& k = c->gather_keep.back();
    s->Gather(c, k.data(), k.size());
  }
  void WriteOwned(std::string&& bytes) const {
    c->gather_keep.push_back(std::move(bytes));
    const std::string& k = c->gather_keep.back();
    s->Gather(c, k.data(), k.size());
  }
};

void Server::Deliver(Connection* c, uint32_t seq, const char* p, size_t len, bool close, bool from_js,
                     bool stable) {
  if (c->closing) return;
  OrderOut out{this, c};
  if (c->order.Complete(seq, p, len, close, stable, out) == ResponseOrder::Outcome::Ignored) return;
  if (from_js) {
    if (c->in_flight) c->in_flight--;
    if (stats_.in_flight) stats_.in_flight--;
  }
  if (c->order.finished()) {
    c->close_after_write = true;
    c->input_done = true;
  }
}

// Cache hints (no-ops where the compiler has none).
#if defined(__GNUC__) || defined(__clang__)
#define JATO_PREFETCH(p) __builtin_prefetch(p)
#define JATO_NOINLINE __attribute__((noinline))
#else
#define JATO_PREFETCH(p) ((void)(p))
#define JATO_NOINLINE
#endif

// Writes c's gathered pieces now: one non-blocking write when nothing of c is queued (and the list
// fits one writev), then what the socket did not take is copied behind c's unsent output (lent
// chunks are valid during the flush call only). False: c failed (closed).
bool Server::WriteGathered(Connection* c) {
  size_t done = 0;
  if (!c->writing && c->out_pending.empty() && c->gather.size() <= kMaxIov) {
    // many small pieces (responses sharing bytes, held ones): one contiguous buffer is cheaper
    // for the kernel than a long iovec
    if (c->gather.size() > 1) {
      size_t total = 0;
      for (const uv_buf_t& b : c->gather) total += b.len;
      if (total <= kWriteScratch) {
        size_t at = 0;
        for (const uv_buf_t& b : c->gather) {
          std::memcpy(write_scratch_ + at, b.base, b.len);
          at += b.len;
        }
        c->gather.clear();
        c->gather.push_back(uv_buf_init(write_scratch_, static_cast<unsigned>(total)));
      }
    }
    int r = TryWrite(c);
    if (r == UV_EAGAIN || r == UV_ENOSYS) r = 0;
    if (r < 0) {
      c->gather.clear();
      c->gather_keep.clear();
      CloseConn(c);
      return false;
    }
    stats_.bytes_written += static_cast<uint64_t>(r);
    done = static_cast<size_t>(r);
  }
  bool ok = KeepUnsent(c->gather.data(), c->gather.size(), done,
                       [c](const char* p, size_t n) { return c->out_pending.append(p, n); });
  c->gather.clear();
  if (!c->gather_keep.empty()) c->gather_keep.clear();  // (a deque's clear is not free when empty)
  if (!ok) {
    CloseConn(c);
    return false;
  }
  return true;
}

// The cache lines of a Connection that flushing it reads (its fd, the output state and flags), and
// the memory they point at. A fan-out flushes a thousand connections in a row and spends several
// microseconds in the kernel for each: the next connections' lines are fetched meanwhile instead of
// missing one after another when their turn comes. Hints only: no effect on behaviour.
static inline void PrefetchOutput(const Connection* c) {
  JATO_PREFETCH(&c->tcp);
#if !defined(_WIN32)
  JATO_PREFETCH(&c->tcp.io_watcher);
#endif
  // the sequencing and output state and the flags: the Connection's tail, from `order` on
  const char* end = reinterpret_cast<const char*>(c + 1);
  for (const char* p = reinterpret_cast<const char*>(&c->order); p < end; p += 64) JATO_PREFETCH(p);
}

static inline void PrefetchOutputData(const Connection* c) {
  if (!c->gather.empty()) JATO_PREFETCH(c->gather.data());
  if (c->ws) JATO_PREFETCH(c->ws.get());
}

// A published frame is one run of rows for many connections (a fan-out to 1,000 subscribers). For a
// batch that starts with WebSocket rows and has at least this many, the connections are looked up
// first in one pass (the lookups' cache misses overlap), then each row prefetches the state of the
// connection kRowsAhead rows further. Other batches (HTTP responses) take the plain loop.
constexpr uint32_t kAheadMinRows = 32;
constexpr uint32_t kRowsAhead = 4;

void Server::ProcessRows(uint32_t rows) {
  if (rows == 0 || !out_table_) return;
  size_t max_rows = out_table_words_ / kOutCols;
  if (rows > max_rows) rows = static_cast<uint32_t>(max_rows);
  // one row for c, routed by its flags; c is added to touched_ (flushed once after all rows)
  auto row = [this](Connection* c, const uint32_t* r) {
    size_t off = r[kOutOff], len = r[kOutLen];
    uint32_t flags = r[kOutFlags];
    const char* p;
    if (off <= out_arena_len_ && len <= out_arena_len_ - off) {  // never trust offsets
      p = reinterpret_cast<const char*>(out_arena_) + off;
    } else {
      p = LentBytes(off, len, flags);  // a stream-data row over a chunk JS lent for this call
      if (!p) return;
      // the gather list stays one writev long (IOV_MAX): what is gathered goes first
      if (GatherFullForLent(c->gather.size()) && !c->closing && !WriteGathered(c)) return;
    }
    if (flags <= kOutClose) {
      Deliver(c, r[kOutSeq], p, len, flags != 0, true, true);
    } else if ((flags & ~kOutClose) == kOutNumbered) {
      // expanded into numbered_ (stable until the flush below ends: Reset after it)
      size_t n;
      const char* q = numbered_.Expand(p, len, r[kOutSplit], r[kOutNum], &n);
      Deliver(c, r[kOutSeq], q, n, (flags & kOutClose) != 0, true, true);
    } else if (flags >= kOutWs) {  // the WebSocket bits are the highest (batch_layout.hpp)
      WsRow(c, r[kOutSeq], p, len, flags);
    } else if (flags & kOutStreamFile) {
      StartFile(c, r[kOutSeq], p, len, flags);
    } else {
      DeliverStream(c, r[kOutSeq], p, len, flags);
    }
    // every connection that got a row is flushed once after all rows (its in_flight changed)
    if (!c->touched) {
      c->touched = true;
      touched_.push_back(c);
    }
  };
  if (rows < kAheadMinRows || (out_table_[kOutFlags] & ~(kOutNumbered | kOutClose)) < kOutWs) {
    Connection* last = nullptr;
    for (uint32_t i = 0; i < rows; i++) {
      const uint32_t* r = out_table_ + size_t{i} * kOutCols;
      uint32_t id = r[kOutConn];
      Connection* c = (last && last->id == id) ? last : Find(id);
      if (!c) continue;
      last = c;
      row(c, r);
    }
    FlushTouched();
    numbered_.Reset();
    return;
  }
  // a fan-out: look every row's connection up first, then prefetch kRowsAhead rows ahead
  // (no Connection is freed during ProcessRows: uv_close callbacks cannot run in it)
  row_conns_.resize(rows);
  Connection* prev = nullptr;
  for (uint32_t i = 0; i < rows; i++) {
    uint32_t id = out_table_[size_t{i} * kOutCols + kOutConn];
    prev = (prev && prev->id == id) ? prev : Find(id);
    row_conns_[i] = prev;
  }
  for (uint32_t i = 0; i < kRowsAhead && i < rows; i++) {
    if (row_conns_[i]) PrefetchOutput(row_conns_[i]);
  }
  for (uint32_t i = 0; i < rows; i++) {
    if (i + kRowsAhead < rows) {
      Connection* n = row_conns_[i + kRowsAhead];
      if (n && n != row_conns_[i + kRowsAhead - 1]) PrefetchOutput(n);  // once per run of rows
    }
    if (Connection* c = row_conns_[i]) row(c, out_table_ + size_t{i} * kOutCols);
  }
  if (row_conns_.capacity() > 65536) {
    row_conns_.clear();
    row_conns_.shrink_to_fit();  // memory stays bounded after a huge batch
  }
  FlushTouched();
  numbered_.Reset();
}

// touched_ lives only within one ProcessRows call (no Connection is freed meanwhile: uv_close
// callbacks cannot run during it). FlushConn never adds to it.
void Server::FlushTouched() {
  size_t n = touched_.size();
  if (n == 1) {  // one connection (pipelined HTTP on one socket): nothing to prefetch
    touched_[0]->touched = false;
    FlushConn(touched_[0]);
  } else if ((n > kFanoutWrites && touched_[0]->ws) || !fanout_queue_.empty()) {
    FlushFanout();  // a large WebSocket fan-out: its writes spread over loop turns (fanout_writes.cc)
  } else if (n > 1) {
    // many connections (a fan-out): the next ones' state is fetched during this one's write
    // (out of line: the one-connection path above stays as small as it was)
    [this, n]() JATO_NOINLINE {
      PrefetchOutput(touched_[1]);
      for (size_t i = 0; i < n; i++) {
        if (i + 2 < n) PrefetchOutput(touched_[i + 2]);
        if (i + 1 < n) PrefetchOutputData(touched_[i + 1]);
        Connection* c = touched_[i];
        c->touched = false;
        FlushConn(c);
      }
    }();
  }
  touched_.clear();
}

void Server::FlushConn(Connection* c) {
  if (c->closing) {
    c->gather.clear();
    c->gather_keep.clear();
    return;
  }
  if (!c->gather.empty()) {
    if (!WriteGathered(c)) return;
    if (!c->writing && !c->out_pending.empty()) StartWrite(c);
    if (c->closing) return;
  }
  if (c->drain_wanted) MaybeDrain(c);
  if (!c->files.empty()) PumpFile(c);
  AfterOutput(c);
}

void Server::StartWrite(Connection* c) {
  c->out_writing.swap(c->out_pending);
  c->out_pending.clear();
  uv_buf_t b = uv_buf_init(c->out_writing.begin(), static_cast<unsigned>(c->out_writing.size()));
  c->write_req.data = c;
  c->writing = true;
  c->write_since = uv_now(loop_);
  c->last_queue_size = 0;
  if (uv_write(&c->write_req, reinterpret_cast<uv_stream_t*>(&c->tcp), &b, 1, OnWrite) != 0) {
    c->writing = false;
    CloseConn(c);
  }
}

void Server::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  Server* s = c->server;
  c->writing = false;
  if (status < 0) {
    c->out_writing.clear();
    if (!c->closing) s->CloseConn(c);
    return;
  }
  s->stats_.bytes_written += c->out_writing.size();
  c->out_writing.clear();
  if (c->out_writing.capacity() > kKeepCapacity) c->out_writing.release();  // memory stays bounded
  if (c->closing) return;
  if (c->drain_wanted) s->MaybeDrain(c);
  if (!c->files.empty()) s->PumpFile(c);
  if (!c->out_pending.empty()) {
    s->StartWrite(c);
    return;
  }
  s->AfterOutput(c);
}

void Server::AfterOutput(Connection* c) {
  if (c->body && !c->closing) BodyAnswered(c);  // a streamed body answered before its end: discard the rest
  if (c->closing || !c->output_idle()) {
    if (!c->closing) UpdateReading(c);
    return;
  }
  c->idle_since = uv_now(loop_);
  if (c->close_after_write) {
    Shutdown(c);
    return;
  }
  bool nothing_pending = c->in_flight == 0 && c->order.held_empty();
  if (nothing_pending && c->eof) {
    CloseConn(c);
    return;
  }
  if (nothing_pending && c->draining && !c->ws) {  // server closing: FIN after the last response, then linger
    Shutdown(c);
    return;
  }
  if (c->continue_wanted) SendContinueIfDue(c);
  if (!c->closing) UpdateReading(c);
}

}  // namespace jato::loop
