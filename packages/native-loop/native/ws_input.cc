// ws_input.cc — input of upgraded (WebSocket) connections: bytes go through the frame parser
// (jato/parser/ws_frame.hpp); whole messages and close events are appended to the per-turn
// WebSocket event table (the same call into JS as requests); pings are answered here with a pong
// gathered into the connection's write of this read; a peer's close frame is echoed and a protocol
// error answered with its close code (1002/1007/1009), then the connection is shut down after that
// frame is written. Never aborts on input: every error is a close code.
#include <cstring>
#include <new>
#include <string>

#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

struct Server::WsHost {
  Server* s;
  Connection* c;
  bool on_message(uint8_t op, const uint8_t* d, size_t n, bool compressed) const {
    uint32_t kind = (op == ws::kText ? kWsText : kWsBinary) | (compressed ? kWsCompressed : 0);
    if (s->EmitWs(c, kind, 0, d, n)) return true;
    s->CloseConn(c);  // no room even after a dispatch (re-entrancy): never buffer without bound
    return false;
  }
  bool on_control(uint8_t op, const uint8_t* d, size_t n) const {
    if (op != ws::kPing || c->ws->close_sent || c->closing) return true;  // pongs are not reported
    std::string frame(2 + n, '\0');
    auto* f = reinterpret_cast<uint8_t*>(&frame[0]);
    size_t h = ws::write_header(f, ws::kPong, n);
    if (n) std::memcpy(f + h, d, n);
    c->gather_keep.push_back(std::move(frame));
    const std::string& k = c->gather_keep.back();
    s->Gather(c, k.data(), k.size());
    return true;
  }
  void on_close(uint16_t code, const uint8_t* reason, size_t n) const {
    c->ws->close_received = true;
    s->EmitWs(c, kWsClose, code, reason, n);
    // RFC 6455 §5.5.1: answer with a close frame (echoing the code) unless ours is already out
    if (!c->ws->close_sent) s->WsSendClose(c, code, nullptr, 0);
    c->close_after_write = true;
    c->input_done = true;
  }
  void on_error(uint16_t code) const {
    c->ws->close_received = true;
    s->EmitWs(c, kWsClose, code, nullptr, 0);
    if (!c->ws->close_sent) s->WsSendClose(c, code, nullptr, 0);
    c->close_after_write = true;
    c->input_done = true;
  }
};

void Server::WsData(Connection* c, char* data, size_t n) {
  WsSession* w = c->ws.get();
  w->last_rx = uv_now(loop_);
  w->ping_sent = false;
  WsHost host{this, c};
  auto* p = reinterpret_cast<uint8_t*>(data);
  size_t used = 0;
  while (used < n && !c->closing && !c->input_done && !w->parser.done()) used += w->parser.parse(p + used, n - used, host);
  if (!c->closing) FlushConn(c);  // pongs / our close frame go out with this read's one write
}

bool Server::EmitWs(Connection* c, uint32_t kind, uint32_t code, const uint8_t* data, size_t len) {
  if (c->closing) return false;
  if (len > 0xF0000000u) return false;
  if (ws_count_ >= ws_rows_ || arena_used_ + len > arena_cap_) {
    if (count_ > 0 || ws_count_ > 0) Dispatch();
    if (count_ > 0 || ws_count_ > 0) return false;  // dispatch refused (re-entrancy)
    if (len > arena_cap_ && !GrowArena(len)) return false;
  }
  if (c->closing) return false;
  uint32_t off = static_cast<uint32_t>(arena_used_);
  if (len) std::memcpy(arena_ + off, data, len);
  arena_used_ += len;
  uint32_t* row = ws_table_ + size_t{ws_count_} * kWsCols;
  row[kWsConn] = c->id;
  row[kWsKind] = kind;
  row[kWsCode] = code;
  row[kWsOff] = off;
  row[kWsLen] = static_cast<uint32_t>(len);
  ws_count_++;
  Wake();
  return true;
}

}  // namespace jato::loop
