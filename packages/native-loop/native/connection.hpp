// connection.hpp — the state of one accepted TCP connection.
// Contract: owned by its Server; freed only in the uv_close callback, so a Connection* stays valid
// from accept until that callback even after Server::Close(c) was called (check `closing`).
#pragma once
#include <uv.h>
#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "body_pool.hpp"
#include "body_stream.hpp"
#include "byte_buffer.hpp"
#include "framing.hpp"
#include "response_order.hpp"
#include "ws_session.hpp"

namespace jato::loop {

class Server;
struct FileSend;

struct Connection {
  uv_tcp_t tcp;  // first member: the handle's data points back here as well
  uv_write_t write_req;
  uv_shutdown_t shutdown_req;
  Server* server = nullptr;
  uint32_t id = 0;
  sockaddr_storage peer{};

  // input: bytes received and not yet framed (the request at the front may be partial)
  ByteBuffer in;
  Framer framer;                // where the request at the front of `in` stands
  uint64_t phase_start = 0;     // uv_now when this head's first byte / body phase began
  bool continue_sent = false;
  bool continue_wanted = false;  // Expect: 100-continue deferred until earlier responses are out
  std::unique_ptr<BodyStream> body;  // a streamed request body being received (body_stream.cc)
  std::unique_ptr<BodyPool> pool;  // buffers of borrowed bodies (body_pool.cc), made on first use
  uint32_t body_buf_size = 0;   // the body-buffer size the last streamed body grew to (body_buffer.cc)

  // sequencing: requests get 0, 1, 2… ; responses are written strictly in that order
  ResponseOrder order;
  uint32_t in_flight = 0;       // requests handed to JS and not answered

  // output: gathered pieces of this flush, then at most one uv_write in progress + what queues behind it
  std::vector<uv_buf_t> gather;
  std::deque<std::string> gather_keep;  // deque: elements never move, so gathered pointers stay valid
  ByteBuffer out_pending;
  ByteBuffer out_writing;
  uint64_t write_since = 0;
  size_t last_queue_size = 0;

  uint64_t idle_since = 0;
  uint64_t linger_since = 0;
  uint64_t eof_since = 0;       // when the client's FIN arrived with requests still pending

  bool touched = false;      // in the server's touched list of this flush
  bool writing = false;      // a uv_write is in progress
  bool reading = false;      // uv_read_start is active
  bool input_done = false;   // no further request is framed from this connection
  bool close_after_write = false;
  bool eof = false;          // the client half-closed
  bool shutting = false;     // uv_shutdown requested
  bool lingering = false;    // after our FIN: discard input until the client's EOF or a deadline
  bool closing = false;      // uv_close called
  bool draining = false;     // server is closing: finish in-flight work, then close
  bool pump_queued = false;  // framing of buffered input deferred to the check phase
  bool had_request = false;  // at least one request was framed
  bool drain_wanted = false; // a streamed response waits for its unsent output to go under the mark
  bool upgrade_pending = false;  // an Upgrade request is with JS: framing waits for its answer
  bool write_queued = false;  // in the server's fan-out write queue (fanout_writes.cc)
  std::vector<FileSend*> files;  // file bodies in sequence order, the front one sending (file_sender.cc)

  // WebSocket: set once JS accepted the upgrade; from then on input is frames (ws_input.cc)
  std::unique_ptr<WsSession> ws;

  size_t unsent() const { return out_pending.size() + out_writing.size() + order.held_bytes(); }
  bool output_idle() const { return !writing && out_pending.empty() && gather.empty(); }
};

}  // namespace jato::loop
