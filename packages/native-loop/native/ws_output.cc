// ws_output.cc — output and lifetime of WebSocket connections: the 101 that switches a connection
// (kOutUpgrade, answered through ResponseOrder like any response, then a WsSession is created and the
// bytes that followed the upgrade request are parsed as frames), frames JS built (kOutWs rows, gathered
// into the connection's one write per turn; a published frame is one span of the output arena that
// many rows point at), our close frame (kOutWsClose: nothing is sent after it; the TCP connection is
// closed once the peer's close frame came or the close deadline passed), terminate, the idle timeout
// with optional pings, the going-away close of a graceful server close, and bufferedAmount.
#include <cstring>
#include <new>
#include <string>

#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

namespace {
/** How long our close frame waits for the peer's before the connection is closed anyway. */
constexpr uint64_t kWsCloseTimeout = 5000;
}  // namespace

void Server::WsAccept(Connection* c, uint32_t seq, const char* p, size_t len) {
  // a malformed accept row, or an upgrade request whose streamed body is still arriving (its bytes
  // are not frames; core refuses a handshake that is not a GET): never guess
  if (len < kWsOptionBytes || !c->upgrade_pending || c->ws || c->body) {
    CloseConn(c);
    return;
  }
  // A pipelined upgrade behind a response still going out (a file body, a stream, an earlier answer
  // not given yet): its 101 would be held while frames are written at once, inside that response.
  // Refused in order instead: the earlier responses complete, then a 503 that closes the connection
  // (no session is made, so what JS sends to this socket is dropped; its close comes with the TCP close).
  if (c->order.write_seq() != seq) {
    static const char kRefused[] =
        "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    c->upgrade_pending = false;
    Deliver(c, seq, kRefused, sizeof kRefused - 1, true, true, true);
    return;
  }
  WsAcceptOptions o;
  std::memcpy(&o, p + len - kWsOptionBytes, kWsOptionBytes);
  Deliver(c, seq, p, len - kWsOptionBytes, false, true, true);
  if (c->closing) return;
  c->upgrade_pending = false;
  c->ws.reset(new (std::nothrow) WsSession(o));
  if (!c->ws) {
    CloseConn(c);
    return;
  }
  c->ws->last_rx = uv_now(loop_);
  c->framer.finish();  // no more HTTP on this connection
  if (!c->in.empty()) QueuePump(c);  // frames that came with the upgrade request
}

void Server::WsRow(Connection* c, uint32_t seq, const char* p, size_t len, uint32_t flags) {
  if (c->closing) return;
  if (flags & kOutUpgrade) {
    WsAccept(c, seq, p, len);
    return;
  }
  WsSession* w = c->ws.get();
  if (!w) return;  // not (or no longer) a WebSocket connection
  if (flags & kOutWsTerminate) {
    CloseConn(c);
    return;
  }
  if (w->close_sent) return;  // nothing goes out after our close frame
  // maxBackpressure: unsent bytes plus what this turn gathered so far (a peer that does not read)
  if (c->gather.empty()) w->turn_bytes = 0;
  w->turn_bytes += len;
  if (c->unsent() + w->turn_bytes > w->opt.max_backpressure) {
    CloseConn(c);
    return;
  }
  Gather(c, p, len);  // output arena bytes: stable until this ProcessRows ends
  if (flags & kOutWantDrain) c->drain_wanted = true;
  if (flags & kOutWsClose) {
    w->close_sent = true;
    w->close_sent_at = uv_now(loop_);
    if (w->close_received) c->close_after_write = true;
  }
}

void Server::WsSendClose(Connection* c, uint16_t code, const char* reason, size_t reason_len) {
  std::string frame(2 + 2 + 123, '\0');
  size_t n = ws::write_close(reinterpret_cast<uint8_t*>(&frame[0]), code, reason, reason_len);
  frame.resize(n);
  c->gather_keep.push_back(std::move(frame));
  const std::string& k = c->gather_keep.back();
  Gather(c, k.data(), k.size());
  c->ws->close_sent = true;
  c->ws->close_sent_at = uv_now(loop_);
}

// From the sweep: the idle timeout (a ping first when asked for, then 1001) and the close deadline.
void Server::WsSweep(Connection* c, uint64_t now) {
  WsSession* w = c->ws.get();
  if (w->close_sent) {
    if (now - w->close_sent_at >= kWsCloseTimeout) CloseConn(c);
    return;
  }
  uint64_t idle = w->opt.idle_timeout_ms;
  if (idle == 0 || now - w->last_rx < idle) return;
  if ((w->opt.flags & kWsSendPings) && !w->ping_sent) {
    static const char kPing[2] = {static_cast<char>(0x80 | ws::kPing), 0};
    w->ping_sent = true;
    w->last_rx = now;
    Gather(c, kPing, 2);
    FlushConn(c);
    return;
  }
  static const char kReason[] = "idle timeout";
  WsSendClose(c, ws::kGoingAway, kReason, sizeof kReason - 1);
  FlushConn(c);
}

// The server is closing gracefully: 1001, then the peer's close frame or the deadline.
void Server::WsGoingAway(Connection* c) {
  c->draining = true;
  if (c->ws->close_sent) return;
  WsSendClose(c, ws::kGoingAway, nullptr, 0);
  FlushConn(c);
}

double Server::WsBuffered(uint32_t conn) const {
  Connection* c = Find(conn);
  if (!c || c->closing) return -1;
  size_t g = 0;
  for (const uv_buf_t& b : c->gather) g += b.len;
  return static_cast<double>(c->unsent() + g);
}

}  // namespace jato::loop
