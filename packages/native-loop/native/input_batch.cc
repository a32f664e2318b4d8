// input_batch.cc — reading, framing (jato::http::Framer with this server's hooks: backpressure,
// timing, 100-continue) and appending each framed request to the batch in shared memory (Emit);
// the read/pause decision that bounds a connection's memory (UpdateReading); the transport's own
// error answers (Fail).
#include <algorithm>
#include <cstring>

#include "server.hpp"
#include "server_internal.hpp"
#include "status_response.hpp"

namespace jato::loop {

void Server::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  if (c->body) {  // a streamed Content-Length body is read straight into its own buffer (body_buffer.cc)
    if (c->body->window_hold) {  // the window is full until this turn's dispatch: no read (UV_ENOBUFS)
      buf->base = nullptr;
      buf->len = 0;
      return;
    }
    size_t len = 0;
    if (char* p = c->server->BodyReadTarget(c, &len)) {
      buf->base = p;
      buf->len = len;
      return;
    }
  }
  buf->base = c->server->read_buf_;
  buf->len = kReadBufferSize;
}

void Server::OnRead(uv_stream_t* st, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(st->data);
  Server* s = c->server;
  if (nread > 0) {
    s->stats_.bytes_read += static_cast<uint64_t>(nread);
    if (c->lingering || c->input_done || c->closing) return;  // nothing more is read after close/error
    if (buf->base != s->read_buf_) {  // into the body's own buffer (OnAlloc)
      s->BodyBufferRead(c, static_cast<size_t>(nread));
      return;
    }
    s->OnData(c, buf->base, static_cast<size_t>(nread));
    return;
  }
  if (nread == 0 || nread == UV_ENOBUFS) return;  // ENOBUFS: OnAlloc declined (a held window)
  if (nread == UV_EOF) {
    c->eof = true;
    if (c->reading) {
      uv_read_stop(st);
      c->reading = false;
    }
    if (c->body && !c->input_done && !c->closing) s->BodyCut(c);  // the body can never complete
    if (c->lingering) {
      s->CloseConn(c);
      return;
    }
    // Half-close: answer what was complete, then close. A partial request is dropped.
    c->input_done = true;
    if (c->in_flight == 0 && c->order.held_empty() && c->output_idle()) {
      s->CloseConn(c);
      return;
    }
    // Requests are pending: JS hears of the close now (their abort signals fire) while their
    // answers are still written if they come; the sweep closes the socket at the latest
    // keep_alive_timeout after the FIN (the write timeout applies while a write is in progress).
    c->eof_since = uv_now(s->loop_);
    if (c->in_flight > 0) {
      s->closed_ids_.push_back(c->id);
      s->Wake();
    }
    return;
  }
  s->CloseConn(c);  // ECONNRESET and friends
}

void Server::OnData(Connection* c, char* data, size_t n) {
  if (c->ws) {
    WsData(c, data, n);
    if (!c->closing) UpdateReading(c);
    return;
  }
  if (c->in.empty()) {
    size_t len = n;
    size_t used = Frame(c, data, len);
    if (used < len && !c->closing && !c->input_done) {
      if (!c->in.append(data + used, len - used)) {
        CloseConn(c);
        return;
      }
    }
  } else {
    if (!c->in.append(data, n)) {
      CloseConn(c);
      return;
    }
    FrameBuffered(c);
  }
  if (!c->closing) UpdateReading(c);
}

// Frames what is buffered in c->in and keeps the unconsumed rest there.
void Server::FrameBuffered(Connection* c) {
  if (c->ws) {  // the frames that followed an accepted upgrade request
    ByteBuffer rest;
    rest.swap(c->in);
    WsData(c, rest.begin(), rest.size());
    return;
  }
  size_t len = c->in.size();
  size_t used = Frame(c, c->in.begin(), len);
  if (c->closing || c->input_done) {
    c->in.release();
    return;
  }
  c->in.truncate(len);  // a chunked body decoded in place left its framing bytes at the end
  c->in.consume(used);
  if (c->in.empty() && c->in.capacity() > kKeepCapacity) c->in.release();  // after a large body
}

void Server::Pump(Connection* c) {
  c->pump_queued = false;
  if (c->closing || c->input_done || c->in.empty()) return;
  FrameBuffered(c);
  if (!c->closing) UpdateReading(c);
}

void Server::QueuePump(Connection* c) {
  if (c->pump_queued) return;
  c->pump_queued = true;
  pump_list_.push_back(c->id);
  Wake();
}

void Server::UpdateReading(Connection* c) {
  if (c->closing) return;
  bool want;
  if (c->lingering) {
    want = !c->eof;
  } else if (c->input_done || c->eof || c->shutting) {
    // Nothing more is framed. While answers are still owed (a streamed response may stay open
    // indefinitely, and close() drains) keep reading, discarding (OnRead), so the client's FIN or
    // reset is noticed: JS hears of the leave, its streams end and the connection is freed.
    want = !c->eof && !c->shutting && !c->body && c->in_flight > 0;
  } else if (c->body) {
    // a streamed body: read while JS keeps up (the window), or while the rest is discarded. A window
    // filled by the reads of this turn, whose chunks JS gets in this turn's dispatch (the check
    // phase), is held instead: OnAlloc declines further reads (UV_ENOBUFS) and reading is stopped
    // only when the window is still full after the dispatch (ReleaseWindowHolds; a hold stays
    // through the dispatch, whatever JS reports meanwhile). A consumer that keeps up then costs no
    // uv_read_stop/start (two epoll_ctl) per window.
    want = c->body->discarding || c->body->unread < opt_.body_window;
    bool hold = !want && c->reading && (dispatching_ ? c->body->window_hold : chunk_count_ > 0);
    if (hold && !c->body->window_hold) window_holds_.push_back(c->id);
    c->body->window_hold = hold;
    want = want || hold;
  } else {
    // Memory bound: read only while every term is under its limit. Whole requests still waiting
    // unframed (framing stopped at a request boundary: Idle with input left) are framed first;
    // only a partial request at the front (bounded by the head and body limits) asks for more bytes.
    // An upgrade request answered with anything but a 101 (which makes c->ws): HTTP framing resumes.
    // Framing paused after it, so nothing is in flight once its answer is in.
    if (c->upgrade_pending && c->in_flight == 0) c->upgrade_pending = false;
    bool room = c->in_flight < opt_.max_in_flight && c->unsent() <= opt_.high_water_mark && !c->upgrade_pending;
    bool backlog = c->framer.phase() == Framer::Phase::Idle && !c->in.empty();
    want = room && !backlog;
    if (room && backlog) QueuePump(c);
  }
  auto* st = reinterpret_cast<uv_stream_t*>(&c->tcp);
  if (want && !c->reading) {
    if (uv_read_start(st, OnAlloc, OnRead) == 0) c->reading = true;
  } else if (!want && c->reading) {
    uv_read_stop(st);
    c->reading = false;
  }
}

// After the dispatch: a window held through it (UpdateReading) that JS did not reopen stops reading.
void Server::ReleaseWindowHolds() {
  std::vector<uint32_t> list;
  list.swap(window_holds_);
  for (uint32_t id : list) {
    Connection* c = Find(id);
    if (!c || c->closing || !c->body || !c->body->window_hold) continue;
    c->body->window_hold = false;
    UpdateReading(c);
  }
}

// The framer's hooks (see jato/parser/framer.hpp): backpressure, timing, 100-continue and the batch.
struct Server::FrameHost {
  Server* s;
  Connection* c;
  bool may_start() const {
    return c->in_flight < s->opt_.max_in_flight && c->unsent() <= s->opt_.high_water_mark && !c->upgrade_pending;
  }
  void on_head_start() const { c->phase_start = uv_now(s->loop_); }
  bool on_body_start(const http::RequestHead& h, size_t body_have) const {
    c->phase_start = uv_now(s->loop_);
    c->continue_sent = false;
    // streamed: chunked, or a declared length over max_body_bytes, or one of kStreamMinBody or more
    // whose body is not here yet (read straight into memory JS keeps: cheaper than buffering it)
    if (s->opt_.max_stream_body_bytes != 0 &&
        (h.body == http::BodyKind::Chunked || h.content_length > s->opt_.max_body_bytes ||
         (h.content_length >= kStreamMinBody && body_have < h.content_length &&
          h.content_length <= s->opt_.max_stream_body_bytes)))
      return s->StartBody(c, h, body_have);  // false: the framer stops, FrameStreamed takes the body
    s->MaybeContinue(c, h, body_have);
    return !c->closing && !c->input_done;
  }
  bool on_request(const char* msg, const http::RequestHead& h, size_t head_len, const http::Header*,
                  const char* body, size_t body_len) const {
    // a whole body over max_body_bytes exists only with streaming on (inlined: no test for bodyless requests)
    if (body_len > s->opt_.max_body_bytes) return s->EmitWhole(c, msg, h, head_len, h.num_headers, body, body_len);
    return s->Emit(c, msg, h, head_len, h.num_headers, body, body_len) && !c->closing && !c->input_done;
  }
  void on_trailer(const uint8_t*, size_t, const uint8_t*, size_t) const {}  // trailers are not delivered
  void on_error(http::Error e) const { s->Fail(c, http::status_of(e)); }
};

// Frames complete requests from p[0, n). Returns the bytes consumed; the caller keeps the rest.
// For a chunked body decoded in place, n shrinks to the bytes still meaningful.
size_t Server::Frame(Connection* c, char* p, size_t& n) {
  if (c->closing || c->input_done) return n;
  FrameHost host{this, c};  // while a body streams the framer is stopped (Done) and returns n at once
  size_t used = c->framer.frame(p, n, host, headers_scratch_.data(), static_cast<uint32_t>(headers_scratch_.size()));
  if (c->body) return FrameStreamed(c, p, n);  // a streamed body started or goes on (body_stream.cc)
  return used;
}

void Server::MaybeContinue(Connection* c, const http::RequestHead& h, size_t body_have) {
  c->continue_wanted = false;
  if (!h.expect_continue || h.version_minor != 1 || body_have > 0 || c->continue_sent) return;
  c->continue_wanted = true;
  SendContinueIfDue(c);
}

// An interim 100 may only follow the final responses of every earlier request.
void Server::SendContinueIfDue(Connection* c) {
  if (!c->continue_wanted || c->closing || c->input_done) return;
  if (c->body) {
    if (c->body->discarding || c->body->received > 0) {  // answered, or the client did not wait
      c->continue_wanted = false;
      return;
    }
  } else if (c->framer.phase() != Framer::Phase::Body && c->framer.phase() != Framer::Phase::Chunked) {
    c->continue_wanted = false;
    return;
  } else if (c->framer.body_seen() > 0) {  // the client did not wait
    c->continue_wanted = false;
    return;
  }
  // (a streamed body's request is emitted already: only the responses before it count)
  bool earlier = c->body ? c->order.write_seq() == c->body->seq : c->order.all_written();
  if (!earlier || !c->output_idle() || !c->order.held_empty()) return;
  c->continue_wanted = false;
  c->continue_sent = true;
  Gather(c, kContinue, sizeof kContinue - 1);
  FlushConn(c);
}

bool Server::EnsureRoom(size_t bytes, uint32_t headers) {
  if (count_ < table_rows_ && hcount_ + headers <= htable_rows_ && arena_used_ + bytes <= arena_cap_) return true;
  if ((count_ | chunk_count_) != 0) Dispatch();
  if ((count_ | chunk_count_) != 0) return false;  // dispatch refused (re-entrancy): caller fails safely
  if (bytes > arena_cap_ && !GrowArena(bytes)) return false;
  if (headers > htable_rows_) return false;
  return true;
}

bool Server::Emit(Connection* c, const char* msg, const http::RequestHead& h, size_t head_len, uint32_t nh,
                  const char* body, size_t body_len) {
  size_t bytes = head_len + body_len;
  if (!EnsureRoom(bytes, nh)) {
    Fail(c, 503);
    return false;
  }
  if (c->closing) return false;
  uint32_t base = static_cast<uint32_t>(arena_used_);
  std::memcpy(arena_ + base, msg, head_len);
  if (body_len) std::memcpy(arena_ + base + head_len, body, body_len);
  arena_used_ += bytes;
  uint32_t* row = table_ + size_t{count_} * kCols;
  uint32_t seq = c->order.Assign();
  row[kConn] = c->id;
  row[kSeq] = seq;
  row[kMethod] = static_cast<uint32_t>(h.method);
  uint32_t flags = 0;
  if (h.keep_alive) flags |= kFlagKeepAlive;
  if (h.version_minor == 0) flags |= kFlagHttp10;
  if (h.expect_continue) flags |= kFlagExpectContinue;
  if (h.upgrade) {  // framing waits for JS: a 101 turns what follows into WebSocket frames
    flags |= kFlagUpgrade;
    c->upgrade_pending = true;
  }
  if (h.body == http::BodyKind::Chunked) flags |= kFlagChunked;
  row[kFlags] = flags;
  row[kTargetOff] = base + h.target.off;
  row[kTargetLen] = h.target.len;
  row[kHeaderIndex] = hcount_;
  row[kHeaderCount] = nh;
  row[kBodyOff] = base + static_cast<uint32_t>(head_len);
  row[kBodyLen] = static_cast<uint32_t>(body_len);
  row[kMethodOff] = base + h.method_span.off;
  row[kMethodLen] = h.method_span.len;
  const http::Header* hdrs = headers_scratch_.data();
  uint32_t* ht = htable_ + size_t{hcount_} * 4;
  for (uint32_t j = 0; j < nh; j++) {
    ht[0] = base + hdrs[j].name.off;
    ht[1] = hdrs[j].name.len;
    ht[2] = base + hdrs[j].value.off;
    ht[3] = hdrs[j].value.len;
    ht += 4;
  }
  hcount_ += nh;
  count_++;
  c->in_flight++;
  c->had_request = true;
  stats_.in_flight++;
  stats_.requests++;
  if (!h.keep_alive) {
    c->input_done = true;
    c->order.EndAfter(seq);
  }
  return true;
}

void Server::Fail(Connection* c, int status) {
  if (c->closing) return;
  if (c->body && !c->body->starting) {  // a streamed body (timeout): its stream ends with the status
    BodyFail(c, status);
    return;
  }
  c->input_done = true;
  c->framer.finish();
  ByteBuffer b;
  if (!render_status_response(b, status, date_, opt_.server_name)) {
    CloseConn(c);
    return;
  }
  uint32_t seq = c->order.Assign();
  Deliver(c, seq, b.begin(), b.size(), true, false, false);
  FlushConn(c);
  if (!c->closing) UpdateReading(c);
}

}  // namespace jato::loop
