// fanout_writes.cc — the writes of a large WebSocket fan-out, spread over loop turns so that one
// write carries several messages. A flush that touches more than kFanoutWrites connections (a
// publish to many subscribers) writes that many at once; the other WebSocket connections keep their
// bytes (copied into their own out_pending, so nothing points into the output arena JS reuses) and
// wait in a FIFO, from which each later loop turn writes kFanoutWrites after its reads and its
// batch. What the publishers sent meanwhile is published in those batches and appended behind the
// waiting bytes: a subscriber still in the queue gets every message of the round in one write.
// Contract: per-connection byte order holds (new bytes always go behind out_pending); queued bytes
// count as unsent (maxBackpressure, bufferedAmount, the read decision); the queue holds connection
// pointers, so a queued connection is taken out of it (Unqueue) before it is freed, and one closed
// meanwhile is skipped; HTTP connections are never queued; every queued connection is written within
// ceil(queue / kFanoutWrites) turns, in FIFO order.
#include <cerrno>

#include "server.hpp"
#include "server_internal.hpp"
#include "socket_write.hpp"

namespace jato::loop {

namespace {
// Cache hint (no-op where the compiler has none).
#if defined(__GNUC__) || defined(__clang__)
inline void Prefetch(const void* p) { __builtin_prefetch(p); }
#else
inline void Prefetch(const void*) {}
#endif
}  // namespace

// A flush of touched_ with more WebSocket connections than one turn writes, or with connections
// queued: HTTP connections and the ones with a write in progress are flushed as always; with the
// queue empty the first kFanoutWrites WebSocket connections are written now and the rest is queued;
// otherwise every WebSocket connection is queued (behind the waiting ones) and the queue's front is
// written (once per loop turn).
void Server::FlushFanout() {
  const size_t n = touched_.size();
  const bool waiting = !fanout_queue_.empty();
  size_t budget = waiting || fanout_written_ ? 0 : kFanoutWrites;
  for (size_t i = 0; i < n; i++) {
    if (i + 2 < n) Prefetch(touched_[i + 2]);
    Connection* c = touched_[i];
    c->touched = false;
    if (!c->ws || c->closing || c->writing) {
      FlushConn(c);
    } else if (budget > 0 && !c->write_queued) {
      budget--;
      FlushConn(c);
    } else {
      QueueWrite(c);
    }
  }
  if (waiting && !fanout_written_) WriteQueued(kFanoutWrites);
  fanout_written_ = true;
}

// c's gathered bytes move behind its unsent ones; c joins the queue unless it is in it.
void Server::QueueWrite(Connection* c) {
  bool ok = true;
  for (const uv_buf_t& b : c->gather) {
    if (!c->out_pending.append(b.base, b.len)) {
      ok = false;
      break;
    }
  }
  c->gather.clear();
  if (!c->gather_keep.empty()) c->gather_keep.clear();
  if (!ok) {
    CloseConn(c);
    return;
  }
  if (!c->write_queued) {
    c->write_queued = true;
    fanout_queue_.push_back(c);
  }
  Wake();  // the loop does not block while connections wait (OnCheck writes them)
}

// Up to `count` connections from the queue's front: one non-blocking write of each one's unsent
// bytes; what the socket does not take goes to libuv (StartWrite) as any queued output does.
void Server::WriteQueued(size_t count) {
  size_t written = 0;
  while (written < count && !fanout_queue_.empty()) {
    Connection* c = fanout_queue_.front();
    fanout_queue_.pop_front();
    // the state this loop reads of the connection two places ahead is fetched during this write
    if (fanout_queue_.size() > 1) {
      if (const Connection* n = fanout_queue_[1]) {
#if !defined(_WIN32)
        Prefetch(&n->tcp.io_watcher);
#endif
        Prefetch(&n->out_pending);
        Prefetch(&n->write_queued);
      }
    }
    if (!c) continue;  // freed while queued (Unqueue)
    c->write_queued = false;
    if (c->closing || c->writing || c->out_pending.empty()) continue;  // written meanwhile (or closed)
    written++;
    // (unsent bytes are bounded by maxBackpressure, a u32; one write takes at most 1 GiB anyway)
    const size_t len = c->out_pending.size() < (size_t{1} << 30) ? c->out_pending.size() : (size_t{1} << 30);
    uv_buf_t b = uv_buf_init(c->out_pending.begin(), static_cast<unsigned>(len));
    long r;
#if defined(JATO_SOCKET_WRITE)
    const int fd = c->tcp.io_watcher.fd;
    r = fd >= 0 ? SocketWrite(fd, reinterpret_cast<const iovec*>(&b), 1)
                : uv_try_write(reinterpret_cast<uv_stream_t*>(&c->tcp), &b, 1);
#else
    r = uv_try_write(reinterpret_cast<uv_stream_t*>(&c->tcp), &b, 1);
#endif
    if (r == UV_EAGAIN || r == UV_ENOSYS) r = 0;
    if (r < 0) {
      CloseConn(c);
      continue;
    }
    stats_.bytes_written += static_cast<uint64_t>(r);
    c->out_pending.consume(static_cast<size_t>(r));
    if (!c->out_pending.empty()) StartWrite(c);  // the rest when the socket takes it
    if (c->closing) continue;
    if (c->drain_wanted) MaybeDrain(c);
    AfterOutput(c);
  }
}

// c is being freed while queued: its place in the queue is emptied (a scan; closes are rare next to
// writes, and the queue is at most one entry per connection).
void Server::Unqueue(Connection* c) {
  for (Connection*& q : fanout_queue_)
    if (q == c) q = nullptr;
  c->write_queued = false;
}

// From the check phase, after the turn's batch: the next connections of the queue, unless this
// turn's fan-out wrote them already.
void Server::WriteQueuedTurn() {
  if (!fanout_written_) WriteQueued(kFanoutWrites);
  fanout_written_ = false;
}

}  // namespace jato::loop
