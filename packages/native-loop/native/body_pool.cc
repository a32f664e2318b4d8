// body_pool.cc — reuse of the body buffers of borrowed bodies (see body_pool.hpp for the rule).
// A filled (or the last) buffer of a borrowed body is lent: kept with the body offset of its last
// byte; once JS reported that many bytes of the body consumed (BodyRead, which for a borrowed body
// JS calls only when the consumer asks for the next chunk or ends the iteration) it becomes spare,
// and BodyReadTarget reads into a spare buffer before it makes a new one. At most kPoolBuffers per
// connection: beyond, the oldest is let go (its reference deleted: JS's views keep it alive as long
// as they need it, as for any buffer). All are let go when the connection closes, and when it has
// been idle (no request in flight) for kPoolIdleMs or half its keep-alive timeout (OnSweep): idle
// keep-alive connections hold no body memory.
// Contract: loop thread only; Node-API calls (reference deletion) never call into JS.
#include <algorithm>
#include <new>

#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

namespace {

void forget(napi_env env, bool alive, PooledBuffer& pb) {
  if (pb.ref && alive) napi_delete_reference(env, pb.ref);
  pb.ref = nullptr;
}

}  // namespace

// A spare buffer of the connection becomes the body's buffer; false when there is none.
bool Server::ReuseBodyBuffer(Connection* c, BodyStream& b) {
  if (!c->pool || c->pool->spare.empty() || !env_alive_) return false;
  PooledBuffer pb = c->pool->spare.back();
  c->pool->spare.pop_back();
  b.buf_ref = pb.ref;
  b.buf = pb.data;
  b.buf_cap = pb.cap;
  b.buf_fill = 0;
  b.buf_turn = 0;
  return true;
}

// The body's buffer is done with (full, or the body ended): lent when the body is borrowed and the
// buffer full-size, else released. `ended`: the body ended; its consumption is followed on (a mark)
// while buffers of it are lent.
void Server::LendBodyBuffer(Connection* c, BodyStream& b, bool ended) {
  if (b.buf && (!b.borrowed || b.buf_cap != kBodyBufferSize || !env_alive_)) {
    ReleaseBodyBuffer(b);
    return;
  }
  if (b.buf) {
    if (!c->pool) c->pool.reset(new (std::nothrow) BodyPool());
    if (!c->pool) {
      ReleaseBodyBuffer(b);
      return;
    }
    BodyPool& p = *c->pool;
    if (p.lent.size() + p.spare.size() >= kPoolBuffers) {  // let one go: a spare one, else the oldest lent
      std::vector<PooledBuffer>& from = p.spare.empty() ? p.lent : p.spare;
      forget(env_, env_alive_, from.front());
      from.erase(from.begin());
    }
    PooledBuffer pb{b.buf_ref, b.buf, b.buf_cap, b.seq, b.received};
    (b.consumed >= b.received ? p.spare : p.lent).push_back(pb);
    b.buf_ref = nullptr;  // the pool holds the reference now
    b.buf = nullptr;
    b.buf_cap = b.buf_fill = 0;
  }
  if (!ended || !c->pool) return;
  BodyPool& p = *c->pool;
  bool lent = std::any_of(p.lent.begin(), p.lent.end(), [&](const PooledBuffer& pb) { return pb.seq == b.seq; });
  if (!lent) return;
  if (p.marks.size() >= kPoolBuffers) p.marks.erase(p.marks.begin());  // a body JS stopped reading
  p.marks.push_back({b.seq, b.consumed});
}

// JS consumed `bytes` more of borrowed body `seq` (the body being received counted them already in
// its BodyStream): its lent buffers consumed past their end become spare.
void Server::BorrowedConsumed(Connection* c, uint32_t seq, uint64_t bytes) {
  BodyPool& p = *c->pool;
  uint64_t consumed;
  auto mark = std::find_if(p.marks.begin(), p.marks.end(), [&](const ConsumedMark& m) { return m.seq == seq; });
  if (c->body && c->body->seq == seq) {
    consumed = c->body->consumed;
  } else if (mark != p.marks.end()) {
    mark->consumed += bytes;
    consumed = mark->consumed;
  } else {
    return;
  }
  bool left = false;
  for (size_t i = 0; i < p.lent.size();) {
    if (p.lent[i].seq == seq && p.lent[i].end <= consumed) {
      p.spare.push_back(p.lent[i]);
      p.lent.erase(p.lent.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    left = left || p.lent[i].seq == seq;
    ++i;
  }
  if (!left && mark != p.marks.end()) p.marks.erase(mark);
}

void Server::FreeBodyPool(Connection* c) {
  for (PooledBuffer& pb : c->pool->lent) forget(env_, env_alive_, pb);
  for (PooledBuffer& pb : c->pool->spare) forget(env_, env_alive_, pb);
  c->pool.reset();
}

}  // namespace jato::loop
