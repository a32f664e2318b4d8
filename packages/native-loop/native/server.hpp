// server.hpp — an HTTP/1.1 server on Node's own libuv loop: accept, read, frame with the parser,
// batch the framed requests of a loop turn into shared memory and hand them to JS in ONE call,
// then write each connection's responses with one write.
// Sources, one seam each: listener.cc (listen, accept), input_batch.cc (read, frame, batch, the read
// decision that bounds memory), response_order.hpp (sequencing, plain C++), writer.cc (output rows,
// gather, write), stream_writer.cc (streamed responses), body_stream.cc (streamed request bodies:
// chunks in the batch, the window), ws_input.cc / ws_output.cc (upgraded WebSocket connections),
// sweep_shutdown.cc (timeouts, shutdown, close, loop handles) and napi_bridge.cc (the
// only Node-API calls: shared memory, the call into JS per batch, the close notification).
// Contract: every method runs on the loop thread. Calls into JS happen only from Dispatch() (one
// callback scope per batch) and FinishClose(); JS calls in through Flush()/Close()/SetOutput()/BodyRead().
#pragma once
#include <node_api.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "batch_layout.hpp"
#include "connection.hpp"
#include "framing.hpp"
#include "numbered_out.hpp"

namespace jato::loop {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;
  bool reuse_port = false;
  std::string server_name = "jato";
  uint32_t max_head_bytes = 16 * 1024;
  uint32_t max_headers = 4096;  // max_head_bytes / 4 (see @jato/parser DEFAULT_LIMITS)
  uint64_t max_body_bytes = 1024 * 1024;
  uint32_t max_in_flight = 128;
  uint64_t high_water_mark = 1024 * 1024;
  uint64_t headers_timeout = 10000;
  uint64_t body_grace = 5000;
  uint64_t body_min_rate = 240;
  uint64_t keep_alive_timeout = 5000;
  uint64_t write_timeout = 10000;
  uint64_t linger_timeout = 2000;
  uint64_t max_stream_body_bytes = 0;  // streamed request bodies (0: off), see body_stream.cc
  uint64_t body_window = 256 * 1024;
  uint64_t max_discard_bytes = 1024 * 1024;
};

struct ServerStats {
  uint64_t connections = 0, in_flight = 0, requests = 0, bytes_read = 0, bytes_written = 0;
  uint64_t accepted = 0;  // connections accepted since the server started (never decreases)
};

class Server {
 public:
  Server(napi_env env, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /** Keep JS handles: the wrapper object (callback resource), dispatch(count, closed, resized, wsCount) -> rows, onClosed(). */
  bool Init(napi_value self, napi_value dispatch, napi_value on_closed);
  /** Bind and listen; on failure returns a negative uv error and sets `err`. */
  int Listen(std::string& err, std::string& address, int& port, int& family);
  /** The input ArrayBuffers (request table, header table, arena, closed list, date). */
  napi_value InputBuffers();
  /** JS hands (or re-hands after growth) the output arena and output table. */
  bool SetOutput(napi_value arena, napi_value table);
  /**
   * Write `rows` output rows JS wrote outside a batch (async completions). `lent`: an array of
   * Uint8Arrays that rows with kOutLentOff point into, read during this call only (what the socket
   * does not take at once is copied).
   */
  void Flush(uint32_t rows, napi_value lent = nullptr);
  /** Graceful close: stop accepting, finish in-flight work until `deadline_ms`, then close. */
  void Close(uint64_t deadline_ms);
  ServerStats Stats() const;
  /** JS consumed `bytes` of the streamed body of (conn, seq): reopen its window (body_stream.cc). */
  void BodyRead(uint32_t conn, uint32_t seq, uint64_t bytes, bool borrow = false);
  bool Remote(uint32_t conn, std::string& address, int& port) const;
  /** Bytes of a WebSocket connection not yet written to its socket (-1: no such connection). */
  double WsBuffered(uint32_t conn) const;
  bool listening() const { return listening_; }
  /** True while a libuv handle of this server is open (its callbacks still need the object). */
  bool HasOpenHandles() const;
  /** The wrapper is being finalized with handles open (environment teardown): the server deletes
   *  itself when its last handle has closed, and makes no Node-API call from then on. */
  void Orphan();

 private:
  // libuv callbacks
  static void OnConnection(uv_stream_t* listener, int status);
  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnShutdown(uv_shutdown_t* req, int status);
  static void OnConnClosed(uv_handle_t* h);
  static void OnCheck(uv_check_t* h);
  static void OnIdle(uv_idle_t* h);
  static void OnSweep(uv_timer_t* h);
  static void OnDateTimer(uv_timer_t* h);
  static void OnDeadline(uv_timer_t* h);
  static void OnOwnHandleClosed(uv_handle_t* h);
  static void OnEnvTeardown(void* arg);

  // input
  struct FrameHost;
  void OnData(Connection* c, char* data, size_t n);
  size_t Frame(Connection* c, char* p, size_t& n);
  bool Emit(Connection* c, const char* msg, const http::RequestHead& h, size_t head_len, uint32_t nh,
            const char* body, size_t body_len);
  void Fail(Connection* c, int status);
  void MaybeContinue(Connection* c, const http::RequestHead& h, size_t body_have);
  void SendContinueIfDue(Connection* c);
  void Pump(Connection* c);
  void FrameBuffered(Connection* c);
  void QueuePump(Connection* c);
  void UpdateReading(Connection* c);
  void ReleaseWindowHolds();
  // body_stream.cc: streamed request bodies
  bool StartBody(Connection* c, const http::RequestHead& h, size_t body_have);
  size_t FrameStreamed(Connection* c, char* p, size_t& n);
  size_t FeedBody(Connection* c, const char* p, size_t n);
  bool EmitWhole(Connection* c, const char* msg, const http::RequestHead& h, size_t head_len, uint32_t nh,
                 const char* body, size_t body_len);
  void AddChunk(Connection* c, const char* p, size_t len);
  bool PushChunk(uint32_t conn, uint32_t seq, const char* p, size_t len, uint32_t end);
  bool ChunkRoom(size_t bytes);
  void EndBody(Connection* c, uint32_t end);
  void BodyFail(Connection* c, int status);
  void BodyCut(Connection* c);
  void BodyAnswered(Connection* c);
  void EndAfterAnswer(Connection* c, uint32_t seq);
  bool BodyExpired(const Connection* c, uint64_t now) const;
  // body_buffer.cc: direct reads of a streamed Content-Length body into a buffer JS keeps
  char* BodyReadTarget(Connection* c, size_t* len);
  void BodyBufferRead(Connection* c, size_t n);
  bool PushOwnedChunk(Connection* c, size_t off, size_t len);
  void ReleaseBodyBuffer(BodyStream& b);
  // body_pool.cc: reused buffers of borrowed bodies
  bool ReuseBodyBuffer(Connection* c, BodyStream& b);
  void LendBodyBuffer(Connection* c, BodyStream& b, bool ended = false);
  void BorrowedConsumed(Connection* c, uint32_t seq, uint64_t bytes);
  void FreeBodyPool(Connection* c);

  // output
  struct OrderOut;
  void ProcessRows(uint32_t rows);
  void Deliver(Connection* c, uint32_t seq, const char* p, size_t len, bool close, bool from_js, bool stable);
  // stream_writer.cc: a streamed-response row; the drain notice once unsent output is under the mark
  void DeliverStream(Connection* c, uint32_t seq, const char* p, size_t len, uint32_t flags);
  void MaybeDrain(Connection* c);
  // file_sender.cc: file bodies read on the thread pool into the connection's output
  void StartFile(Connection* c, uint32_t seq, const char* p, size_t len, uint32_t flags);
  void PumpFile(Connection* c);
  /** sendfile(2) what the socket takes; -1 when f failed (finished and freed). */
  int SendfileChunk(Connection* c, FileSend* f);
  static void OnFileRead(uv_fs_t* req);
  void FinishFile(Connection* c, FileSend* f, bool ok, bool end_stream);
  void DropFiles(Connection* c);
  static void FreeFile(FileSend* f);
  void Gather(Connection* c, const char* p, size_t len);
  void FlushConn(Connection* c);
  bool WriteGathered(Connection* c);
  void FlushTouched();
  void StartWrite(Connection* c);
  void AfterOutput(Connection* c);
  void Shutdown(Connection* c);
  void CloseConn(Connection* c);

  // websocket (ws_input.cc, ws_output.cc)
  struct WsHost;
  void WsData(Connection* c, char* data, size_t n);
  bool EmitWs(Connection* c, uint32_t kind, uint32_t code, const uint8_t* data, size_t len);
  void WsRow(Connection* c, uint32_t seq, const char* p, size_t len, uint32_t flags);
  void WsAccept(Connection* c, uint32_t seq, const char* p, size_t len);
  void WsSendClose(Connection* c, uint16_t code, const char* reason, size_t reason_len);
  void WsSweep(Connection* c, uint64_t now);
  void WsGoingAway(Connection* c);
  // fanout_writes.cc: a large fan-out's writes spread over loop turns
  void FlushFanout();
  void QueueWrite(Connection* c);
  void WriteQueued(size_t count);
  void WriteQueuedTurn();
  void Unqueue(Connection* c);

  // batch
  void Dispatch();
  bool EnsureRoom(size_t bytes, uint32_t headers);
  bool GrowArena(size_t need);
  void UpdateDate(bool force);
  void Wake();
  void CheckClosed();
  void FinishClose();
  void DeleteIfOrphanDone();
  Connection* Find(uint32_t id) const;
  napi_value NewArrayBuffer(size_t bytes, void** data, napi_ref* ref);
  /** Make the wrapper's reference strong while handles are open (released in FinishClose). */
  void PinWrapper();

  napi_env env_;
  ServerOptions opt_;
  uv_loop_t* loop_ = nullptr;
  uv_tcp_t listener_;
  uv_check_t check_;
  uv_idle_t idle_;
  uv_timer_t sweep_;
  uv_timer_t date_timer_;
  uv_timer_t deadline_;
  int own_handles_open_ = 0;
  uint32_t fs_pending_ = 0;  // file reads on the thread pool (their callbacks need this object)
  bool started_ = false, listening_ = false, listener_open_ = false, closing_ = false, closed_ = false;
  bool idle_active_ = false;
  bool dispatching_ = false;
  bool in_js_call_ = false;
  bool env_alive_ = true;      // false once Node tears the environment down: no more calls into JS
  bool hook_added_ = false;
  bool orphaned_ = false;

  napi_ref self_ref_ = nullptr, dispatch_ref_ = nullptr, closed_cb_ref_ = nullptr;
  napi_async_context async_ctx_ = nullptr;

  http::Limits limits_;
  std::vector<http::Header> headers_scratch_;
  char* read_buf_ = nullptr;
  char* write_scratch_ = nullptr;  // coalescing buffer for one uv_try_write

  std::unordered_map<uint32_t, Connection*> conns_;
  uint32_t next_conn_id_ = 1;
  std::vector<uint32_t> pump_list_;
  std::vector<uint32_t> window_holds_;  // connections whose full window waits for this turn's dispatch
  std::vector<Connection*> touched_;
  std::vector<Connection*> row_conns_;  // a fan-out's rows resolved up front (writer.cc ProcessRows)
  std::deque<Connection*> fanout_queue_;  // WebSocket connections waiting for their write (fanout_writes.cc)
  bool fanout_written_ = false;         // this loop turn wrote from the queue already
  NumberedOut numbered_;                // the bytes of numbered rows until their flush ended
  std::vector<uint32_t> closed_ids_;

  // shared input memory
  uint32_t* table_ = nullptr;
  uint32_t table_rows_ = 0;
  uint32_t* htable_ = nullptr;
  uint32_t htable_rows_ = 0;
  uint8_t* arena_ = nullptr;
  size_t arena_cap_ = 0;
  uint32_t* closed_list_ = nullptr;
  uint32_t* ws_table_ = nullptr;
  uint32_t ws_rows_ = 0, ws_count_ = 0;
  napi_ref ws_table_ref_ = nullptr;
  uint8_t* date_mem_ = nullptr;
  napi_ref table_ref_ = nullptr, htable_ref_ = nullptr, arena_ref_ = nullptr, closed_ref_ = nullptr,
           date_ref_ = nullptr;
  uint32_t count_ = 0, hcount_ = 0;
  uint32_t* chunks_ = nullptr;  // body-chunk table (body_stream.hpp), its data in the arena
  uint32_t chunk_rows_ = 0, chunk_count_ = 0;
  napi_ref chunks_ref_ = nullptr;
  napi_ref body_bufs_ref_ = nullptr;  // the body buffers of this turn's chunk rows (body_buffer.cc)
  uint32_t body_buf_count_ = 0, turn_ = 0;
  size_t arena_used_ = 0;
  bool resized_ = false;
  time_t date_second_ = 0;
  char date_[32];

  // output memory (owned by JS)
  uint8_t* out_arena_ = nullptr;
  size_t out_arena_len_ = 0;
  uint32_t* out_table_ = nullptr;
  size_t out_table_words_ = 0;
  napi_ref out_arena_ref_ = nullptr, out_table_ref_ = nullptr;
  /** The chunks JS lent for the current Flush call (kOutLentOff rows); empty otherwise. */
  std::vector<uv_buf_t> out_lent_;
  void Lend(napi_value list);
  const char* LentBytes(size_t off, size_t len, uint32_t flags) const;

  ServerStats stats_;
};

}  // namespace jato::loop
