// body_buffer.cc — direct reads of a streamed request body into memory JS keeps (no copy).
// While a streamed body is received (and not discarded), OnAlloc hands libuv the free end of the
// body's own Node Buffer (napi_create_buffer: uninitialised, from Node's allocator, so V8 accounts
// for it) instead of the shared read buffer: the kernel writes the body bytes where JS will read
// them. A chunked body is decoded in place (its data moves down over the framing bytes). Each read
// adds a chunk row naming the buffer (kChunkBuf: its index + 1 in the call's body-buffer array, a JS
// array the loop fills once per buffer per turn and JS empties after onBodyChunks) and the range;
// JS hands out subarrays of it and never copies. The loop holds a reference while it may
// still write into the buffer (until it is full, the body ends or the connection goes); from then
// on only the views JS handed out keep it alive. Bytes of the next request read past the body's end
// (or a trailer line not complete yet) are moved to the connection's input and framed as usual.
// Memory: one buffer per receiving connection, 16 KiB at first and twice as large (up to
// kBodyBufferSize) each time a read fills what it was offered, so a client that trickles holds a
// small one and a fast one gets large reads. The next streamed body of the connection starts at the
// size the last one grew to (a client uploading one body after another reads large at once: fewer
// reads, fresh pages, buffers and calls into JS per MiB); still at most kBodyBufferSize per
// receiving connection, as for any fast client. A read takes at most the window's free room (at least
// kReadBufferSize) and reading stops at the window (UpdateReading), so a lagging consumer is handed
// at most window + kReadBufferSize, as with the shared read buffer. A borrowed body (body_pool.cc)
// lends its full buffers back instead of letting them go, and any body reads into a spare one first:
// up to kPoolBuffers more per connection, reused rather than made anew.
// Contract: loop thread only; Node-API calls happen inside a handle scope of their own and never
// call into JS (a GC may run).
#include <algorithm>
#include <cstring>

#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

// Where the next read of `c` goes: the free end of its body buffer (made when needed), or null for
// the shared read buffer (not a direct body, or no memory).
char* Server::BodyReadTarget(Connection* c, size_t* len) {
  BodyStream* b = c->body.get();
  if (!b || b->starting || b->discarding || (b->is_chunked ? b->chunked.done() : b->remaining == 0) ||
      c->closing || c->input_done || !c->in.empty() || !env_alive_)
    return nullptr;
  if (b->buf && b->buf_fill == b->buf_cap) LendBodyBuffer(c, *b);  // released unless borrowed (body_pool.cc)
  // a spare buffer (consumed bytes of an earlier borrowed body) first, whatever this body's reader:
  // only lending a buffer back needs a borrowed reader
  if (!b->buf && !ReuseBodyBuffer(c, *b)) {
    // a borrowed body takes full-size buffers (reused for the rest of it and later bodies)
    size_t cap = b->is_chunked || (b->borrowed && b->buf_next == kBodyBufferSize)
                     ? b->buf_next
                     : static_cast<size_t>(std::min<uint64_t>(b->remaining, b->buf_next));
    napi_handle_scope hs;
    if (napi_open_handle_scope(env_, &hs) != napi_ok) return nullptr;
    void* data = nullptr;
    napi_value buf;
    if (napi_create_buffer(env_, cap, &data, &buf) == napi_ok && data &&
        napi_create_reference(env_, buf, 1, &b->buf_ref) == napi_ok) {
      b->buf = static_cast<char*>(data);
      b->buf_cap = cap;
      b->buf_fill = 0;
      b->buf_turn = 0;
    }
    napi_close_handle_scope(env_, hs);
    if (!b->buf) return nullptr;
  }
  // at most what the window has room for (at least one ordinary read): unread stays within
  // window + kReadBufferSize, as with the shared read buffer
  uint64_t room = b->unread < opt_.body_window ? opt_.body_window - b->unread : 0;
  *len = static_cast<size_t>(std::min<uint64_t>(b->buf_cap - b->buf_fill, std::max<uint64_t>(room, kReadBufferSize)));
  b->buf_offered = *len;
  return b->buf + b->buf_fill;
}

// `n` bytes were read at the free end of the body buffer of `c`.
void Server::BodyBufferRead(Connection* c, size_t n) {
  BodyStream& b = *c->body;
  if (n == b.buf_offered && b.buf_next < kBodyBufferSize) b.buf_next *= 2;  // the client sends fast
  size_t off = b.buf_fill;
  char* p = b.buf + off;
  size_t data = 0, used = 0;  // body data now at [off, off + data); input bytes consumed
  if (b.is_chunked) {
    // decoded in place: each piece of chunk data moves down over the framing bytes before it (the
    // write position never passes the read position); what was not consumed is left untouched
    size_t out = off;
    int64_t r = b.chunked.decode(reinterpret_cast<const uint8_t*>(p), n, [&](const uint8_t* d, size_t len) {
      if (reinterpret_cast<const char*>(d) != b.buf + out) std::memmove(b.buf + out, d, len);
      out += len;
    });
    if (r < 0) {
      BodyFail(c, http::status_of(b.chunked.error()));  // 413 over the limit, 400 bad framing
      return;
    }
    data = out - off;
    used = static_cast<size_t>(r);
  } else {
    data = used = static_cast<size_t>(std::min<uint64_t>(n, b.remaining));
    b.remaining -= data;
  }
  b.buf_fill += data;
  b.received += data;
  bool done = b.is_chunked ? b.chunked.done() : b.remaining == 0;
  // what follows the body (a pipelined request), or a trailer line not complete yet (FeedBody
  // goes on from the connection's input), is framed from the connection's input
  if (used < n && !(done && b.last) && !c->in.append(p + used, n - used)) {
    CloseConn(c);
    return;
  }
  if (data > 0) {
    if (!PushOwnedChunk(c, off, data)) {
      if (!c->closing) CloseConn(c);
      return;
    }
    if (c->closing || c->input_done || !c->body) return;
    if (b.discarding) {  // JS answered meanwhile (a dispatch to make room): the rest is dropped
      b.discarded += data;
    } else {
      b.unread += data;
    }
  }
  if (done) {
    EndBody(c, kBodyDone);  // trailers are not delivered
    if (!c->closing && !c->input_done && !c->in.empty()) FrameBuffered(c);
  }
  if (!c->closing) UpdateReading(c);
}

// A chunk row for bytes [off, off + len) of the body buffer of `c`, listing the buffer in the call's
// array once per turn. False when no row could be made.
bool Server::PushOwnedChunk(Connection* c, size_t off, size_t len) {
  if (!ChunkRoom(0)) return false;
  if (c->closing || !c->body || !c->body->buf) return false;
  BodyStream& b = *c->body;
  if (b.buf_turn != turn_ + 1) {
    napi_handle_scope hs;
    if (napi_open_handle_scope(env_, &hs) != napi_ok) return false;
    napi_value arr, buf;
    bool ok = napi_get_reference_value(env_, body_bufs_ref_, &arr) == napi_ok &&
              napi_get_reference_value(env_, b.buf_ref, &buf) == napi_ok &&
              napi_set_element(env_, arr, body_buf_count_, buf) == napi_ok;
    napi_close_handle_scope(env_, hs);
    if (!ok) return false;
    b.buf_slot = body_buf_count_++;
    b.buf_turn = turn_ + 1;
  }
  if (chunk_count_ > 0) {  // the previous row of this turn ends where this one starts: extend it
    uint32_t* last = chunks_ + size_t{chunk_count_ - 1} * kChunkCols;
    if (last[kChunkBuf] == b.buf_slot + 1 && last[kChunkConn] == c->id && last[kChunkSeq] == b.seq &&
        last[kChunkEnd] == kBodyMore && last[kChunkOff] + last[kChunkLen] == off) {
      last[kChunkLen] += static_cast<uint32_t>(len);
      return true;
    }
  }
  uint32_t* row = chunks_ + size_t{chunk_count_} * kChunkCols;
  row[kChunkConn] = c->id;
  row[kChunkSeq] = b.seq;
  row[kChunkOff] = static_cast<uint32_t>(off);
  row[kChunkLen] = static_cast<uint32_t>(len);
  row[kChunkEnd] = kBodyMore;
  row[kChunkBuf] = b.buf_slot + 1;
  chunk_count_++;
  Wake();
  return true;
}

void Server::ReleaseBodyBuffer(BodyStream& b) {
  if (b.buf_ref && env_alive_) napi_delete_reference(env_, b.buf_ref);
  b.buf_ref = nullptr;
  b.buf = nullptr;
  b.buf_cap = b.buf_fill = 0;
}

}  // namespace jato::loop
