// server.cc — see server.hpp for the contract.
#include "server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "date_cache.hpp"
#include "status_response.hpp"

namespace jato::loop {

namespace {
constexpr size_t kReadBufferSize = 64 * 1024;
constexpr uint32_t kInitialRows = 4096;
constexpr uint32_t kInitialHeaderRows = 32768;
constexpr size_t kArenaSlack = 64 * 1024;
constexpr size_t kMaxIov = 512;
constexpr size_t kWriteScratch = 64 * 1024;
/** Per-connection buffers above this capacity are freed once empty. */
constexpr size_t kKeepCapacity = 256 * 1024;

http::Limits parser_limits(const ServerOptions& o) {
  http::Limits l;
  l.max_head_bytes = o.max_head_bytes;
  l.max_headers = o.max_headers;
  l.max_body = o.max_body_bytes;
  return l;
}
}  // namespace

Server::Server(napi_env env, ServerOptions options)
    : env_(env), opt_(std::move(options)), limits_(parser_limits(opt_)) {
  headers_scratch_.resize(opt_.max_headers + 1);
  std::memset(date_, ' ', sizeof date_);
}

Server::~Server() {
  std::free(read_buf_);
  std::free(write_scratch_);
  if (!env_alive_) return;  // orphaned after the environment went away: no Node-API calls
  if (hook_added_) napi_remove_env_cleanup_hook(env_, OnEnvTeardown, this);
  napi_ref refs[] = {self_ref_, dispatch_ref_, closed_cb_ref_, table_ref_, htable_ref_, arena_ref_,
                     closed_ref_, date_ref_, out_arena_ref_, out_table_ref_};
  for (napi_ref r : refs)
    if (r) napi_delete_reference(env_, r);
}

napi_value Server::NewArrayBuffer(size_t bytes, void** data, napi_ref* ref) {
  napi_value ab = nullptr;
  if (napi_create_arraybuffer(env_, bytes, data, &ab) != napi_ok) return nullptr;
  std::memset(*data, 0, bytes);
  if (*ref) napi_delete_reference(env_, *ref);
  napi_create_reference(env_, ab, 1, ref);
  return ab;
}

bool Server::Init(napi_value self, napi_value dispatch, napi_value on_closed) {
  if (napi_get_uv_event_loop(env_, &loop_) != napi_ok || !loop_) return false;
  // Weak reference to the wrapper; made strong while listening (see Listen / FinishClose).
  napi_create_reference(env_, self, 0, &self_ref_);
  napi_create_reference(env_, dispatch, 1, &dispatch_ref_);
  napi_create_reference(env_, on_closed, 1, &closed_cb_ref_);
  napi_value name;
  napi_create_string_utf8(env_, "jato.native-loop", NAPI_AUTO_LENGTH, &name);
  if (napi_async_init(env_, self, name, &async_ctx_) != napi_ok) return false;
  void* p = nullptr;
  if (!NewArrayBuffer(size_t{kInitialRows} * kCols * 4, &p, &table_ref_)) return false;
  table_ = static_cast<uint32_t*>(p);
  table_rows_ = kInitialRows;
  if (!NewArrayBuffer(size_t{kInitialHeaderRows} * 16, &p, &htable_ref_)) return false;
  htable_ = static_cast<uint32_t*>(p);
  htable_rows_ = kInitialHeaderRows;
  size_t arena = 1024 * 1024;
  if (!NewArrayBuffer(arena, &p, &arena_ref_)) return false;
  arena_ = static_cast<uint8_t*>(p);
  arena_cap_ = arena;
  if (!NewArrayBuffer(size_t{kClosedCapacity} * 4, &p, &closed_ref_)) return false;
  closed_list_ = static_cast<uint32_t*>(p);
  if (!NewArrayBuffer(64, &p, &date_ref_)) return false;
  date_mem_ = static_cast<uint8_t*>(p);
  read_buf_ = static_cast<char*>(std::malloc(kReadBufferSize));
  write_scratch_ = static_cast<char*>(std::malloc(kWriteScratch));
  if (!read_buf_ || !write_scratch_) return false;
  hook_added_ = napi_add_env_cleanup_hook(env_, OnEnvTeardown, this) == napi_ok;
  UpdateDate(true);
  return true;
}

napi_value Server::InputBuffers() {
  napi_value obj, v;
  napi_create_object(env_, &obj);
  struct { const char* key; napi_ref ref; } items[] = {
      {"table", table_ref_}, {"headers", htable_ref_}, {"arena", arena_ref_}, {"closed", closed_ref_},
      {"date", date_ref_}};
  for (auto& it : items) {
    napi_get_reference_value(env_, it.ref, &v);
    napi_set_named_property(env_, obj, it.key, v);
  }
  return obj;
}

bool Server::SetOutput(napi_value arena, napi_value table) {
  void* data = nullptr;
  size_t len = 0;
  bool is_ab = false;
  napi_is_arraybuffer(env_, arena, &is_ab);
  if (is_ab) {
    if (napi_get_arraybuffer_info(env_, arena, &data, &len) != napi_ok) return false;
  } else {
    napi_typedarray_type t;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env_, arena, &t, &len, &data, &ab, &off) != napi_ok) return false;
    if (t != napi_uint8_array) return false;
  }
  napi_typedarray_type t;
  size_t words = 0, off = 0;
  void* tdata = nullptr;
  napi_value tab;
  if (napi_get_typedarray_info(env_, table, &t, &words, &tdata, &tab, &off) != napi_ok) return false;
  if (t != napi_uint32_array) return false;
  if (out_arena_ref_) napi_delete_reference(env_, out_arena_ref_);
  if (out_table_ref_) napi_delete_reference(env_, out_table_ref_);
  napi_create_reference(env_, arena, 1, &out_arena_ref_);
  napi_create_reference(env_, table, 1, &out_table_ref_);
  out_arena_ = static_cast<uint8_t*>(data);
  out_arena_len_ = len;
  out_table_ = static_cast<uint32_t*>(tdata);
  out_table_words_ = words;
  return true;
}

// ---------------------------------------------------------------------------------------------
// listening

int Server::Listen(std::string& err, std::string& address, int& port, int& family) {
  if (started_ || closing_) {
    err = "already started";
    return UV_EINVAL;
  }
  sockaddr_storage ss{};
  int af;
  if (uv_ip4_addr(opt_.host.c_str(), opt_.port, reinterpret_cast<sockaddr_in*>(&ss)) == 0) {
    af = AF_INET;
  } else if (uv_ip6_addr(opt_.host.c_str(), opt_.port, reinterpret_cast<sockaddr_in6*>(&ss)) == 0) {
    af = AF_INET6;
  } else {
    err = "host must be a numeric IPv4 or IPv6 address: " + opt_.host;
    return UV_EINVAL;
  }
  int fd = ::socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = std::string("socket: ") + std::strerror(errno);
    return -errno;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (opt_.reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int e = errno;
    ::close(fd);
    err = std::string("SO_REUSEPORT: ") + std::strerror(e);
    return -e;
  }
  socklen_t slen = af == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), slen) != 0 || ::listen(fd, 511) != 0) {
    int e = errno;
    ::close(fd);
    err = std::string("listen ") + opt_.host + ":" + std::to_string(opt_.port) + ": " + std::strerror(e);
    return -e;
  }
  uv_tcp_init(loop_, &listener_);
  listener_.data = this;
  own_handles_open_++;
  listener_open_ = true;
  int r = uv_tcp_open(&listener_, fd);
  if (r == 0) r = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 511, OnConnection);
  if (r != 0) {
    err = std::string("listen: ") + uv_strerror(r);
    listener_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), OnOwnHandleClosed);
    return r;
  }
  sockaddr_storage bound{};
  int blen = sizeof bound;
  uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &blen);
  char name[INET6_ADDRSTRLEN] = {0};
  if (bound.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&bound);
    uv_ip6_name(a, name, sizeof name);
    port = ntohs(a->sin6_port);
    family = 6;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&bound);
    uv_ip4_name(a, name, sizeof name);
    port = ntohs(a->sin_port);
    family = 4;
  }
  address = name;

  // the loop's own helpers never keep the process alive
  uv_check_init(loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, OnCheck);
  uv_unref(reinterpret_cast<uv_handle_t*>(&check_));
  uv_idle_init(loop_, &idle_);
  idle_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&idle_));
  uint64_t sweep = std::min({opt_.headers_timeout, opt_.keep_alive_timeout, opt_.write_timeout,
                             opt_.body_grace ? opt_.body_grace : uint64_t{1000}, opt_.linger_timeout}) / 4;
  sweep = std::clamp<uint64_t>(sweep, 5, 1000);
  uv_timer_init(loop_, &sweep_);
  sweep_.data = this;
  uv_timer_start(&sweep_, OnSweep, sweep, sweep);
  uv_unref(reinterpret_cast<uv_handle_t*>(&sweep_));
  uv_timer_init(loop_, &date_timer_);
  date_timer_.data = this;
  uv_timer_start(&date_timer_, OnDateTimer, 1000, 1000);
  uv_unref(reinterpret_cast<uv_handle_t*>(&date_timer_));
  uv_timer_init(loop_, &deadline_);
  deadline_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&deadline_));
  own_handles_open_ += 5;
  started_ = listening_ = true;
  napi_reference_ref(env_, self_ref_, nullptr);  // stay alive while handles are open
  return 0;
}

void Server::OnConnection(uv_stream_t* listener, int status) {
  auto* s = static_cast<Server*>(listener->data);
  if (status < 0 || s->closing_) return;
  auto* c = new (std::nothrow) Connection();
  if (!c) return;
  uv_tcp_init(s->loop_, &c->tcp);
  c->tcp.data = c;
  c->server = s;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    c->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  c->framer.set_limits(s->limits_);
  uv_tcp_nodelay(&c->tcp, 1);
  int len = sizeof c->peer;
  uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&c->peer), &len);
  do {
    c->id = s->next_conn_id_++;
    if (s->next_conn_id_ == 0) s->next_conn_id_ = 1;
  } while (s->conns_.count(c->id));
  s->conns_.emplace(c->id, c);
  s->stats_.connections++;
  c->idle_since = uv_now(s->loop_);
  s->UpdateReading(c);
}

Connection* Server::Find(uint32_t id) const {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------------
// input

void Server::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  buf->base = c->server->read_buf_;
  buf->len = kReadBufferSize;
}

void Server::OnRead(uv_stream_t* st, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(st->data);
  Server* s = c->server;
  if (nread > 0) {
    s->stats_.bytes_read += static_cast<uint64_t>(nread);
    if (c->lingering || c->input_done || c->closing) return;  // nothing more is read after close/error
    s->OnData(c, buf->base, static_cast<size_t>(nread));
    return;
  }
  if (nread == 0) return;
  if (nread == UV_EOF) {
    c->eof = true;
    if (c->reading) {
      uv_read_stop(st);
      c->reading = false;
    }
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
    want = false;
  } else {
    // Memory bound: read only while every term is under its limit. Whole requests still waiting
    // unframed (framing stopped at a request boundary: Idle with input left) are framed first;
    // only a partial request at the front (bounded by the head and body limits) asks for more bytes.
    bool room = c->in_flight < opt_.max_in_flight && c->unsent() <= opt_.high_water_mark;
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

// The framer's hooks (see jato/parser/framer.hpp): backpressure, timing, 100-continue and the batch.
struct Server::FrameHost {
  Server* s;
  Connection* c;
  bool may_start() const { return c->in_flight < s->opt_.max_in_flight && c->unsent() <= s->opt_.high_water_mark; }
  void on_head_start() const { c->phase_start = uv_now(s->loop_); }
  bool on_body_start(const http::RequestHead& h, size_t body_have) const {
    c->phase_start = uv_now(s->loop_);
    c->continue_sent = false;
    s->MaybeContinue(c, h, body_have);
    return !c->closing && !c->input_done;
  }
  bool on_request(const char* msg, const http::RequestHead& h, size_t head_len, const http::Header*,
                  const char* body, size_t body_len) const {
    return s->Emit(c, msg, h, head_len, h.num_headers, body, body_len) && !c->closing && !c->input_done;
  }
  void on_trailer(const uint8_t*, size_t, const uint8_t*, size_t) const {}  // trailers are not delivered
  void on_error(http::Error e) const { s->Fail(c, http::status_of(e)); }
};

// Frames complete requests from p[0, n). Returns the bytes consumed; the caller keeps the rest.
// For a chunked body decoded in place, n shrinks to the bytes still meaningful.
size_t Server::Frame(Connection* c, char* p, size_t& n) {
  if (c->closing || c->input_done) return n;
  FrameHost host{this, c};
  return c->framer.frame(p, n, host, headers_scratch_.data(), static_cast<uint32_t>(headers_scratch_.size()));
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
  if (c->framer.phase() != Framer::Phase::Body && c->framer.phase() != Framer::Phase::Chunked) {
    c->continue_wanted = false;
    return;
  }
  if (c->framer.body_seen() > 0) {  // the client did not wait
    c->continue_wanted = false;
    return;
  }
  if (!c->order.all_written() || !c->output_idle() || !c->order.held_empty()) return;
  c->continue_wanted = false;
  c->continue_sent = true;
  Gather(c, kContinue, sizeof kContinue - 1);
  FlushConn(c);
}

bool Server::EnsureRoom(size_t bytes, uint32_t headers) {
  if (count_ < table_rows_ && hcount_ + headers <= htable_rows_ && arena_used_ + bytes <= arena_cap_) return true;
  if (count_ > 0) Dispatch();
  if (count_ > 0) return false;  // dispatch refused (re-entrancy): caller fails safely
  if (bytes > arena_cap_ && !GrowArena(bytes)) return false;
  if (headers > htable_rows_) return false;
  return true;
}

bool Server::GrowArena(size_t need) {
  size_t cap = arena_cap_;
  while (cap < need + kArenaSlack) cap *= 2;
  void* p = nullptr;
  // called from libuv callbacks: the new ArrayBuffer needs a handle scope of its own
  napi_handle_scope hs;
  if (napi_open_handle_scope(env_, &hs) != napi_ok) return false;
  bool ok = NewArrayBuffer(cap, &p, &arena_ref_) != nullptr;
  napi_close_handle_scope(env_, hs);
  if (!ok) return false;
  arena_ = static_cast<uint8_t*>(p);
  arena_cap_ = cap;
  resized_ = true;
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
  if (h.upgrade) flags |= kFlagUpgrade;
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

// ---------------------------------------------------------------------------------------------
// output

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

void Server::ProcessRows(uint32_t rows) {
  if (rows == 0 || !out_table_) return;
  size_t max_rows = out_table_words_ / kOutCols;
  if (rows > max_rows) rows = static_cast<uint32_t>(max_rows);
  Connection* last = nullptr;
  for (uint32_t i = 0; i < rows; i++) {
    const uint32_t* r = out_table_ + size_t{i} * kOutCols;
    uint32_t id = r[kOutConn];
    Connection* c = (last && last->id == id) ? last : Find(id);
    if (!c) continue;
    last = c;
    size_t off = r[kOutOff], len = r[kOutLen];
    if (off > out_arena_len_ || len > out_arena_len_ - off) continue;  // never trust offsets
    Deliver(c, r[kOutSeq], reinterpret_cast<const char*>(out_arena_) + off, len, (r[kOutFlags] & kOutClose) != 0,
            true, true);
    // every connection that got a row is flushed once after all rows (its in_flight changed)
    if (!c->touched) {
      c->touched = true;
      touched_.push_back(c);
    }
  }
  FlushTouched();
}

// touched_ lives only within one ProcessRows call (no Connection is freed meanwhile: uv_close
// callbacks cannot run during it). FlushConn never adds to it.
void Server::FlushTouched() {
  for (size_t i = 0; i < touched_.size(); i++) {
    Connection* c = touched_[i];
    c->touched = false;
    FlushConn(c);
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
    size_t start = 0;
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
      int r = uv_try_write(reinterpret_cast<uv_stream_t*>(&c->tcp), c->gather.data(),
                           static_cast<unsigned>(c->gather.size()));
      if (r == UV_EAGAIN || r == UV_ENOSYS) r = 0;
      if (r < 0) {
        c->gather.clear();
        c->gather_keep.clear();
        CloseConn(c);
        return;
      }
      stats_.bytes_written += static_cast<uint64_t>(r);
      size_t done = static_cast<size_t>(r);
      while (start < c->gather.size() && done >= c->gather[start].len) {
        done -= c->gather[start].len;
        start++;
      }
      if (start < c->gather.size() && done) {
        c->gather[start].base += done;
        c->gather[start].len -= static_cast<unsigned>(done);
      }
    }
    bool ok = true;
    for (size_t i = start; i < c->gather.size() && ok; i++) ok = c->out_pending.append(c->gather[i].base, c->gather[i].len);
    c->gather.clear();
    c->gather_keep.clear();
    if (!ok) {
      CloseConn(c);
      return;
    }
    if (!c->writing && !c->out_pending.empty()) StartWrite(c);
    if (c->closing) return;
  }
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
  if (!c->out_pending.empty()) {
    s->StartWrite(c);
    return;
  }
  s->AfterOutput(c);
}

void Server::AfterOutput(Connection* c) {
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
  if (nothing_pending && c->draining) {  // server closing: FIN after the last response, then linger
    Shutdown(c);
    return;
  }
  if (c->continue_wanted) SendContinueIfDue(c);
  if (!c->closing) UpdateReading(c);
}

void Server::Shutdown(Connection* c) {
  if (c->shutting || c->closing) return;
  c->shutting = true;
  c->input_done = true;
  c->shutdown_req.data = c;
  if (uv_shutdown(&c->shutdown_req, reinterpret_cast<uv_stream_t*>(&c->tcp), OnShutdown) != 0) CloseConn(c);
}

void Server::OnShutdown(uv_shutdown_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  Server* s = c->server;
  if (c->closing) return;
  if (status < 0 || c->eof) {
    s->CloseConn(c);
    return;
  }
  // our FIN is out: read and discard until the client's EOF (or the linger deadline) so that
  // unread input does not turn our close into a reset that destroys the response in flight
  c->lingering = true;
  c->linger_since = uv_now(s->loop_);
  c->in.release();
  s->UpdateReading(c);
}

void Server::CloseConn(Connection* c) {
  if (c->closing) return;
  c->closing = true;
  c->gather.clear();
  c->gather_keep.clear();
  if (c->reading) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
    c->reading = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnConnClosed);
}

void Server::OnConnClosed(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  Server* s = c->server;
  s->conns_.erase(c->id);
  if (s->stats_.connections) s->stats_.connections--;
  s->stats_.in_flight -= std::min<uint64_t>(s->stats_.in_flight, c->in_flight);
  s->closed_ids_.push_back(c->id);
  delete c;
  s->Wake();
  s->CheckClosed();
  s->DeleteIfOrphanDone();
}

// ---------------------------------------------------------------------------------------------
// batch dispatch

void Server::Wake() {
  if (!idle_active_ && started_ && !closed_) {
    idle_active_ = true;
    uv_idle_start(&idle_, OnIdle);
  }
}

void Server::OnIdle(uv_idle_t*) {}

void Server::OnCheck(uv_check_t* h) {
  auto* s = static_cast<Server*>(h->data);
  if (!s->pump_list_.empty()) {
    std::vector<uint32_t> list;
    list.swap(s->pump_list_);
    for (uint32_t id : list) {
      Connection* c = s->Find(id);
      if (c) s->Pump(c);
    }
  }
  s->Dispatch();
  if (s->pump_list_.empty() && s->closed_ids_.empty() && s->idle_active_) {
    s->idle_active_ = false;
    uv_idle_stop(&s->idle_);
  }
}

void Server::UpdateDate(bool force) {
  time_t now = time(nullptr);
  if (!force && now == date_second_) return;
  date_second_ = now;
  render_imf_date(now, date_);
  if (date_mem_) {
    std::memcpy(date_mem_ + 8, date_, kDateLength);
    uint32_t v;
    std::memcpy(&v, date_mem_, 4);
    v++;
    std::memcpy(date_mem_, &v, 4);
  }
}

void Server::OnDateTimer(uv_timer_t* h) { static_cast<Server*>(h->data)->UpdateDate(false); }

void Server::Dispatch() {
  if (dispatching_ || in_js_call_ || !env_alive_) return;
  if (count_ == 0 && closed_ids_.empty()) return;
  dispatching_ = true;
  UpdateDate(false);
  uint32_t nclosed = static_cast<uint32_t>(std::min<size_t>(closed_ids_.size(), kClosedCapacity));
  if (nclosed) {
    std::memcpy(closed_list_, closed_ids_.data(), nclosed * 4);
    closed_ids_.erase(closed_ids_.begin(), closed_ids_.begin() + nclosed);
  }
  napi_handle_scope hs;
  napi_open_handle_scope(env_, &hs);
  napi_value self, fn, result = nullptr, argv[3];
  napi_get_reference_value(env_, self_ref_, &self);
  napi_get_reference_value(env_, dispatch_ref_, &fn);
  napi_callback_scope cs = nullptr;
  napi_open_callback_scope(env_, self, async_ctx_, &cs);
  napi_create_uint32(env_, count_, &argv[0]);
  napi_create_uint32(env_, nclosed, &argv[1]);
  napi_get_boolean(env_, resized_, &argv[2]);
  resized_ = false;
  napi_status st = napi_call_function(env_, self, fn, 3, argv, &result);
  count_ = 0;
  hcount_ = 0;
  arena_used_ = 0;
  uint32_t rows = 0;
  if (st == napi_ok && result) {
    napi_get_value_uint32(env_, result, &rows);
  } else {
    bool pending = false;
    napi_is_exception_pending(env_, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env_, &err);
      napi_fatal_exception(env_, err);
    }
  }
  ProcessRows(rows);
  dispatching_ = false;
  if (cs) napi_close_callback_scope(env_, cs);  // runs nextTicks and microtasks (async completions)
  napi_close_handle_scope(env_, hs);
}

void Server::Flush(uint32_t rows) {
  in_js_call_ = true;
  ProcessRows(rows);
  in_js_call_ = false;
}

// ---------------------------------------------------------------------------------------------
// timeouts

void Server::OnSweep(uv_timer_t* h) {
  auto* s = static_cast<Server*>(h->data);
  uint64_t now = uv_now(s->loop_);
  const ServerOptions& o = s->opt_;
  std::vector<Connection*> expired;
  std::vector<int> status;
  for (auto& kv : s->conns_) {
    Connection* c = kv.second;
    if (c->closing) continue;
    if (c->lingering) {
      if (now - c->linger_since >= o.linger_timeout) expired.push_back(c), status.push_back(0);
      continue;
    }
    if (c->eof && !c->writing && now - c->eof_since >= o.keep_alive_timeout) {  // FIN'd, still pending
      expired.push_back(c), status.push_back(0);
      continue;
    }
    if (c->writing) {
      size_t q = c->tcp.write_queue_size;
      if (q != c->last_queue_size) {
        c->last_queue_size = q;
        c->write_since = now;
      } else if (now - c->write_since >= o.write_timeout) {
        expired.push_back(c), status.push_back(-1);
      }
      continue;
    }
    if (c->input_done || c->shutting) continue;
    switch (c->framer.phase()) {
      case Framer::Phase::Head:
        if (now - c->phase_start >= o.headers_timeout) expired.push_back(c), status.push_back(408);
        break;
      case Framer::Phase::Body:
      case Framer::Phase::Chunked: {
        uint64_t elapsed = now - c->phase_start;
        if (elapsed >= o.body_grace && c->framer.body_seen() * 1000 < o.body_min_rate * elapsed)
          expired.push_back(c), status.push_back(408);
        break;
      }
      case Framer::Phase::Done:
        break;
      case Framer::Phase::Idle:
        if (c->in_flight == 0 && c->order.held_empty() && c->output_idle() && c->in.empty() &&
            now - c->idle_since >= o.keep_alive_timeout)
          expired.push_back(c), status.push_back(0);
        break;
    }
  }
  for (size_t i = 0; i < expired.size(); i++) {
    Connection* c = expired[i];
    if (c->closing) continue;
    if (status[i] == 408) {
      c->in.release();
      s->Fail(c, 408);
    } else {
      s->CloseConn(c);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// graceful close

void Server::Close(uint64_t deadline_ms) {
  if (!started_) {
    closing_ = true;
    closed_ = true;
    return;
  }
  if (closing_) return;
  closing_ = true;
  if (listener_open_) {
    listener_open_ = false;
    listening_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), OnOwnHandleClosed);
  }
  std::vector<Connection*> all;
  all.reserve(conns_.size());
  for (auto& kv : conns_) all.push_back(kv.second);
  for (Connection* c : all) {
    if (c->closing) continue;
    c->draining = true;
    c->input_done = true;
    if (c->in_flight == 0 && c->order.held_empty() && c->output_idle()) CloseConn(c);
    else UpdateReading(c);
  }
  uv_timer_start(&deadline_, OnDeadline, deadline_ms, 0);
  CheckClosed();
}

// Node is tearing the environment down (process exit, worker termination) with the server open:
// close every handle without calling into JS; the close callbacks still free the connections.
void Server::OnEnvTeardown(void* arg) {
  auto* s = static_cast<Server*>(arg);
  s->hook_added_ = false;
  s->env_alive_ = false;
  if (!s->started_ || s->closed_) return;
  s->closing_ = true;
  if (s->listener_open_) {
    s->listener_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&s->listener_), OnOwnHandleClosed);
  }
  std::vector<Connection*> all;
  for (auto& kv : s->conns_) all.push_back(kv.second);
  for (Connection* c : all) s->CloseConn(c);
  // close our own handles now too: Node spins the loop once more for close callbacks, not twice
  s->closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&s->check_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->idle_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->sweep_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->date_timer_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->deadline_), OnOwnHandleClosed);
}

void Server::OnDeadline(uv_timer_t* h) {
  auto* s = static_cast<Server*>(h->data);
  std::vector<Connection*> all;
  for (auto& kv : s->conns_) all.push_back(kv.second);
  for (Connection* c : all) s->CloseConn(c);
}

void Server::CheckClosed() {
  if (!closing_ || closed_ || !conns_.empty() || listener_open_) return;
  closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&sweep_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&date_timer_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline_), OnOwnHandleClosed);
}

void Server::OnOwnHandleClosed(uv_handle_t* h) {
  auto* s = static_cast<Server*>(h->data);
  if (--s->own_handles_open_ == 0 && s->closed_) s->FinishClose();
  s->DeleteIfOrphanDone();
}

bool Server::HasOpenHandles() const { return own_handles_open_ > 0 || !conns_.empty(); }

void Server::Orphan() {
  orphaned_ = true;
  env_alive_ = false;
}

void Server::DeleteIfOrphanDone() {
  if (orphaned_ && !HasOpenHandles()) delete this;
}

void Server::FinishClose() {
  if (!env_alive_) return;
  // deliver the last onConnectionClose notifications, then resolve close()
  napi_handle_scope hs;
  napi_open_handle_scope(env_, &hs);
  napi_value self, fn, result;
  napi_get_reference_value(env_, self_ref_, &self);
  napi_callback_scope cs = nullptr;
  napi_open_callback_scope(env_, self, async_ctx_, &cs);
  while (!closed_ids_.empty()) {
    size_t before = closed_ids_.size();
    dispatching_ = false;
    Dispatch();
    if (closed_ids_.size() >= before) break;
  }
  napi_get_reference_value(env_, closed_cb_ref_, &fn);
  napi_call_function(env_, self, fn, 0, nullptr, &result);
  bool pending = false;
  napi_is_exception_pending(env_, &pending);
  if (pending) {
    napi_value err;
    napi_get_and_clear_last_exception(env_, &err);
    napi_fatal_exception(env_, err);
  }
  if (cs) napi_close_callback_scope(env_, cs);
  napi_close_handle_scope(env_, hs);
  napi_async_destroy(env_, async_ctx_);
  async_ctx_ = nullptr;
  uint32_t rc = 0;
  napi_reference_unref(env_, self_ref_, &rc);
}

ServerStats Server::Stats() const { return stats_; }

bool Server::Remote(uint32_t conn, std::string& address, int& port) const {
  Connection* c = Find(conn);
  if (!c || c->closing) return false;
  char name[INET6_ADDRSTRLEN] = {0};
  if (c->peer.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&c->peer);
    uv_ip6_name(a, name, sizeof name);
    port = ntohs(a->sin6_port);
  } else if (c->peer.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&c->peer);
    uv_ip4_name(a, name, sizeof name);
    port = ntohs(a->sin_port);
  } else {
    return false;
  }
  address = name;
  return true;
}

}  // namespace jato::loop
