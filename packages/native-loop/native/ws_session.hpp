// ws_session.hpp — the WebSocket state of one upgraded connection (see ws_input.cc, ws_output.cc).
// Contract: created when JS accepts an upgrade (a kOutUpgrade row), owned by the Connection, freed
// with it. The frame parser is @jato/parser's (jato/parser/ws_frame.hpp): the code that is fuzzed.
#pragma once
#include <cstdint>
#include <cstring>

#include "jato/parser/ws_frame.hpp"

namespace jato::loop {

/** Per-connection options, appended by JS after the 101 bytes of a kOutUpgrade row (little-endian u32s). */
struct WsAcceptOptions {
  uint32_t max_message = 16u << 20;      // → 1009
  uint32_t idle_timeout_ms = 120000;     // 0: none
  uint32_t max_backpressure = 16u << 20; // unsent bytes over it close the connection
  uint32_t flags = 0;                    // kWsSendPings | kWsDeflate
};
constexpr uint32_t kWsSendPings = 1, kWsDeflate = 2;
constexpr size_t kWsOptionBytes = sizeof(WsAcceptOptions);
static_assert(kWsOptionBytes == 16, "four u32");

struct WsSession {
  explicit WsSession(const WsAcceptOptions& o) : opt(o) {
    ws::Limits l;
    l.max_message = o.max_message;
    l.allow_rsv1 = (o.flags & kWsDeflate) != 0;
    parser.set_limits(l);
  }
  WsAcceptOptions opt;
  ws::Parser parser;
  uint64_t last_rx = 0;         // uv_now of the last bytes received (idle timeout)
  uint64_t close_sent_at = 0;
  uint64_t turn_bytes = 0;      // frame bytes gathered since the connection's last flush
  bool ping_sent = false;       // an idle ping is out, the next idle period closes
  bool close_sent = false;      // our close frame is queued: nothing more is sent
  bool close_received = false;  // the peer's close frame (or a protocol error) ended its input
};

}  // namespace jato::loop
