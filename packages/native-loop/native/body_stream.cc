// body_stream.cc — streamed request bodies on the native loop (contract: src/stream-input.ts).
// With streaming on (max_stream_body_bytes > 0), a request whose Content-Length is over
// max_body_bytes (or at least kStreamMinBody), or whose chunked body is not complete in the bytes
// that completed its head, is
// emitted into the batch at once (flag kStreamedBodyFlag, empty body) and its body bytes become rows
// of the body-chunk table — those that came with the head copied into the same arena, the rest read
// straight into the body's own buffer (body_buffer.cc): the chunks of one loop turn reach JS in the
// same one call as the turn's requests (onBodyChunks right after onBatch). The connection's Framer
// is stopped while the body streams; FeedBody counts a Content-Length body down or runs the
// chunked decoder (jato::http::ChunkedDecoder, the framer's own), then the framer starts afresh on
// the bytes that follow (a pipelined request).
// Backpressure: delivered bytes JS has not reported consumed (BodyRead) are the window; at
// body_window the socket is not read (UpdateReading; a window filled during a loop turn is held
// through that turn's dispatch and reading stops only if JS left it full), so memory stays bounded
// by the window plus one read. A response written before the body ended switches it to discarding (checked once per
// flush in AfterOutput, not per response): the rest is read and dropped up to max_discard_bytes, else (or when the client still waits for 100 Continue) the
// connection ends after that response. Failures end the stream with a status row (413 over the
// limit, 400 bad framing, 408 body timeout, 499 the client left) and the loop answers the status
// itself when JS has not answered yet, then closes.
// Contract: every function runs on the loop thread; none calls into JS except through Dispatch()
// (ChunkRoom, when the tables are full), after which the connection's state is checked again.
#include <algorithm>
#include <cstring>
#include <new>

#include "server.hpp"
#include "server_internal.hpp"
#include "status_response.hpp"

namespace jato::loop {

/** Chunks of one body are joined up to this size (one read): JS copies each, small copies recycle well. */
constexpr size_t kMaxChunk = kReadBufferSize;

bool Server::StartBody(Connection* c, const http::RequestHead& h, size_t body_have) {
  http::Limits limits = limits_;
  limits.max_body = opt_.max_stream_body_bytes;
  auto* b = new (std::nothrow) BodyStream(limits);
  if (!b) {
    CloseConn(c);
    return false;
  }
  c->body.reset(b);
  b->head = h;
  b->have = body_have;
  b->is_chunked = h.body == http::BodyKind::Chunked;
  b->remaining = b->is_chunked ? 0 : h.content_length;
  b->last = !h.keep_alive;
  b->expect_continue = h.expect_continue && h.version_minor == 1 && body_have == 0;
  if (c->body_buf_size > b->buf_next) b->buf_next = c->body_buf_size;  // as large as the last body's grew
  c->continue_wanted = false;  // decided when JS first reads the body (BodyRead)
  return false;
}

// The framer stopped at a streamed body (or one is being received): emit its request, feed the body,
// then frame what follows it. Returns the bytes consumed (Frame's contract).
size_t Server::FrameStreamed(Connection* c, char* p, size_t& n) {
  BodyStream* b = c->body.get();
  size_t pos = 0;
  if (b->starting) {
    pos = n - b->have;  // the body's first byte; its head precedes it
    const http::RequestHead& h = b->head;
    if (!Emit(c, p + pos - h.head_length, h, h.head_length, h.num_headers, nullptr, 0)) return n;
    table_[size_t{count_ - 1} * kCols + kFlags] |= kStreamedBodyFlag;
    b->seq = c->order.next_seq() - 1;
    b->starting = false;
    if (b->last) c->input_done = false;  // Emit ends input after a final request: its body is still to come
  }
  if (c->closing || c->input_done) return n;
  pos += FeedBody(c, p + pos, n - pos);
  if (c->closing || c->input_done) return n;
  if (c->body) return pos;  // still receiving (all consumed, or a partial trailer line kept)
  // the body is complete: frame what follows (a body streamed from there runs to the end of p, so
  // this recurses at most once more)
  size_t m = n - pos;
  size_t used = Frame(c, p + pos, m);
  n = pos + m;
  return pos + used;
}

size_t Server::FeedBody(Connection* c, const char* p, size_t n) {
  BodyStream& b = *c->body;
  if (!b.is_chunked) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, b.remaining));
    b.remaining -= take;
    if (take) AddChunk(c, p, take);
    if (c->closing || c->input_done) return n;
    if (b.remaining == 0) EndBody(c, kBodyDone);
    return take;
  }
  int64_t used = b.chunked.decode(reinterpret_cast<const uint8_t*>(p), n, [&](const uint8_t* d, size_t len) {
    AddChunk(c, reinterpret_cast<const char*>(d), len);
  });
  if (c->closing || c->input_done) return n;
  if (used < 0) {
    BodyFail(c, http::status_of(b.chunked.error()));  // 413 over the limit, 400 bad framing
    return n;
  }
  if (b.chunked.done()) EndBody(c, kBodyDone);  // trailers are not delivered
  return static_cast<size_t>(used);
}

// Body bytes arrived: a chunk row for JS, or discarded after the response.
void Server::AddChunk(Connection* c, const char* p, size_t len) {
  if (c->closing || c->input_done) return;
  BodyStream& b = *c->body;
  b.received += len;
  if (!b.discarding) {
    if (!PushChunk(c->id, b.seq, p, len, kBodyMore)) {
      CloseConn(c);  // no room even after a dispatch (re-entered): the body cannot be delivered
      return;
    }
    if (c->closing || c->input_done) return;  // JS answered (and ended the connection) meanwhile
    if (!b.discarding) {
      b.unread += len;
      return;
    }
  }
  b.discarded += len;
  if (b.discarded > opt_.max_discard_bytes) EndAfterAnswer(c, b.seq);  // too much to drop: close
}

bool Server::ChunkRoom(size_t bytes) {
  if (chunk_count_ < chunk_rows_ && arena_used_ + bytes <= arena_cap_) return true;
  if (count_ > 0 || chunk_count_ > 0) Dispatch();
  if (count_ > 0 || chunk_count_ > 0) return false;  // dispatch refused (re-entrancy)
  if (bytes > arena_cap_ && !GrowArena(bytes)) return false;
  return chunk_rows_ > 0;
}

bool Server::PushChunk(uint32_t conn, uint32_t seq, const char* p, size_t len, uint32_t end) {
  if (chunk_count_ > 0 && end <= kBodyDone && arena_used_ + len <= arena_cap_) {
    // the same body's previous chunk of this turn ends where this one starts: extend it
    uint32_t* last = chunks_ + size_t{chunk_count_ - 1} * kChunkCols;
    if (last[kChunkConn] == conn && last[kChunkSeq] == seq && last[kChunkEnd] == kBodyMore &&
        (len == 0 || (last[kChunkBuf] == 0 && last[kChunkOff] + last[kChunkLen] == arena_used_ &&
                      last[kChunkLen] + len <= kMaxChunk))) {
      if (len) std::memcpy(arena_ + arena_used_, p, len);
      arena_used_ += len;
      last[kChunkLen] += static_cast<uint32_t>(len);
      last[kChunkEnd] = end;
      return true;
    }
  }
  if (!ChunkRoom(len)) return false;
  uint32_t* row = chunks_ + size_t{chunk_count_} * kChunkCols;
  row[kChunkConn] = conn;
  row[kChunkSeq] = seq;
  row[kChunkOff] = static_cast<uint32_t>(arena_used_);
  row[kChunkLen] = static_cast<uint32_t>(len);
  row[kChunkEnd] = end;
  row[kChunkBuf] = 0;
  if (len) std::memcpy(arena_ + arena_used_, p, len);
  arena_used_ += len;
  chunk_count_++;
  Wake();  // a turn with chunks and no request still dispatches
  return true;
}

// A request complete in one buffer with a body over max_body_bytes (streaming is on): emitted as a
// streamed request whose one chunk is the whole body.
bool Server::EmitWhole(Connection* c, const char* msg, const http::RequestHead& h, size_t head_len, uint32_t nh,
                       const char* body, size_t body_len) {
  if (!Emit(c, msg, h, head_len, nh, nullptr, 0)) return false;
  table_[size_t{count_ - 1} * kCols + kFlags] |= kStreamedBodyFlag;
  uint32_t seq = c->order.next_seq() - 1;
  if (!PushChunk(c->id, seq, body, body_len, kBodyDone)) {
    CloseConn(c);
    return false;
  }
  return !c->closing;
}

// The body ended (complete, failed or cut): JS hears how; a complete body lets framing go on.
void Server::EndBody(Connection* c, uint32_t end) {
  std::unique_ptr<BodyStream> b = std::move(c->body);
  c->body_buf_size = static_cast<uint32_t>(b->buf_next);
  if (b->borrowed) LendBodyBuffer(c, *b, true);  // JS may still be consuming its last chunks
  ReleaseBodyBuffer(*b);
  if (!b->discarding && !b->starting) PushChunk(c->id, b->seq, nullptr, 0, end);
  if (c->closing) return;
  if (end == kBodyDone && !b->last) {
    c->framer = Framer(limits_);  // the next request starts at the next byte
    c->idle_since = uv_now(loop_);
    return;
  }
  c->input_done = true;
  c->framer.finish();
}

// A streamed body failed (limit, framing, timeout): its stream ends with `status`; the loop answers
// the status for that request unless JS did, and the connection closes.
void Server::BodyFail(Connection* c, int status) {
  uint32_t seq = c->body->seq;
  bool answered = c->body->discarding;
  EndBody(c, static_cast<uint32_t>(status));
  if (c->closing) return;
  c->input_done = true;
  if (answered) {
    EndAfterAnswer(c, seq);
    return;
  }
  c->order.EndAfter(seq);  // whichever answer goes out for it (JS's may be held already) is the last
  ByteBuffer out;
  if (!render_status_response(out, status, date_, opt_.server_name)) {
    CloseConn(c);
    return;
  }
  Deliver(c, seq, out.begin(), out.size(), true, true, false);
  FlushConn(c);
  if (!c->closing) UpdateReading(c);
}

// The client's FIN came in the middle of the body: the message can never complete. JS hears
// kBodyAborted; the request counts as answered with nothing, so the connection closes once the
// responses before it are written (a response JS still sends for it is ignored).
void Server::BodyCut(Connection* c) {
  uint32_t seq = c->body->seq;
  bool answered = c->body->discarding;
  EndBody(c, kBodyAborted);
  if (answered || c->closing) return;
  Deliver(c, seq, "", 0, true, true, true);
  FlushConn(c);
}

// Checked once output is written (AfterOutput): when the response to the body being received is
// out, the rest of the body is discarded, or the connection ends after it when too much is left or
// the client still waits for 100 Continue.
void Server::BodyAnswered(Connection* c) {
  BodyStream& b = *c->body;
  if (b.starting || b.discarding || c->order.write_seq() <= b.seq) return;
  b.discarding = true;
  b.unread = 0;
  bool waits = b.expect_continue && !c->continue_sent && b.received == 0;
  if (waits || (!b.is_chunked && b.remaining > opt_.max_discard_bytes)) {
    c->continue_wanted = false;
    c->input_done = true;
    c->close_after_write = true;
  }
}

// Nothing more is read; the connection closes once the response to `seq` (delivered) is written.
void Server::EndAfterAnswer(Connection* c, uint32_t seq) {
  c->input_done = true;
  if (c->order.write_seq() <= seq) {
    c->order.EndAfter(seq);  // still held behind earlier responses
    return;
  }
  c->close_after_write = true;
  AfterOutput(c);
}

bool Server::BodyExpired(const Connection* c, uint64_t now) const {
  uint64_t elapsed = now - c->phase_start;
  return elapsed >= opt_.body_grace && c->body->received * 1000 < opt_.body_min_rate * elapsed;
}

void Server::BodyRead(uint32_t conn, uint32_t seq, uint64_t bytes, bool borrow) {
  Connection* c = Find(conn);
  if (!c || c->closing) return;
  if (!c->body || c->body->seq != seq) {  // an ended body: its lent buffers may be reusable now
    if (c->pool) BorrowedConsumed(c, seq, bytes);
    return;
  }
  if (c->input_done) return;
  BodyStream& b = *c->body;
  if (b.starting || b.discarding) return;
  if (borrow && !b.started) b.borrowed = true;  // said with the first report, before any chunk was handed out
  if (b.borrowed) {
    b.consumed += bytes;
    if (c->pool) BorrowedConsumed(c, seq, 0);
  }
  b.unread -= std::min(bytes, b.unread);
  bool was_in_call = in_js_call_;
  in_js_call_ = true;  // nothing below calls into JS; a dispatch would be re-entrant
  if (!b.started) {
    b.started = true;
    if (b.expect_continue && b.received == 0 && !c->continue_sent) {
      c->continue_wanted = true;
      SendContinueIfDue(c);
    }
  }
  if (!c->closing) UpdateReading(c);
  in_js_call_ = was_in_call;
}

}  // namespace jato::loop
