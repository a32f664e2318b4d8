// napi_bridge.cc — the Server's Node-API layer: the only file of the loop (besides addon.cc) that
// calls into Node-API. Shared memory set-up (input ArrayBuffers, the output arena/table JS hands
// over), arena growth, the one call into JS per batch (Dispatch) and the close notification
// (FinishClose). Everything else (listener, input, writer, sweep) is plain C++ over libuv.
#include <cstddef>
#include <cstring>

#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

namespace {
// A call into JS threw: the exception goes to Node as uncaught ('uncaughtException'), never lost.
void RaisePendingException(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) return;
  napi_value err;
  napi_get_and_clear_last_exception(env, &err);
  napi_fatal_exception(env, err);
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
                     closed_ref_, date_ref_, out_arena_ref_, out_table_ref_, chunks_ref_, ws_table_ref_, body_bufs_ref_};
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
  // word 0: the chunk count of the call; rows from word kChunkCols (see body_stream.hpp)
  if (!NewArrayBuffer(size_t{kInitialChunkRows + 1} * kChunkCols * 4, &p, &chunks_ref_)) return false;
  chunks_ = static_cast<uint32_t*>(p) + kChunkCols;
  chunk_rows_ = kInitialChunkRows;
  napi_value bufs;
  if (napi_create_array(env_, &bufs) != napi_ok || napi_create_reference(env_, bufs, 1, &body_bufs_ref_) != napi_ok)
    return false;
  if (!NewArrayBuffer(size_t{kInitialWsRows} * kWsCols * 4, &p, &ws_table_ref_)) return false;
  ws_table_ = static_cast<uint32_t*>(p);
  ws_rows_ = kInitialWsRows;
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
      {"date", date_ref_}, {"bodies", chunks_ref_}, {"ws", ws_table_ref_}, {"bodyBuffers", body_bufs_ref_}};
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
  out_arena_len_ = len < kOutLentOff ? len : kOutLentOff - 1;  // offsets with kOutLentOff are lent chunks
  out_table_ = static_cast<uint32_t*>(tdata);
  out_table_words_ = words;
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

void Server::Dispatch() {
  if (dispatching_ || in_js_call_ || !env_alive_) return;
  if (count_ == 0 && ws_count_ == 0 && closed_ids_.empty() && chunk_count_ == 0) return;
  dispatching_ = true;
  UpdateDate(false);
  uint32_t nclosed = static_cast<uint32_t>(std::min<size_t>(closed_ids_.size(), kClosedCapacity));
  if (nclosed) {
    std::memcpy(closed_list_, closed_ids_.data(), nclosed * 4);
    closed_ids_.erase(closed_ids_.begin(), closed_ids_.begin() + nclosed);
  }
  napi_handle_scope hs;
  napi_open_handle_scope(env_, &hs);
  napi_value self, fn, result = nullptr, argv[4];
  napi_get_reference_value(env_, self_ref_, &self);
  napi_get_reference_value(env_, dispatch_ref_, &fn);
  napi_callback_scope cs = nullptr;
  napi_open_callback_scope(env_, self, async_ctx_, &cs);
  napi_create_uint32(env_, count_, &argv[0]);
  napi_create_uint32(env_, nclosed, &argv[1]);
  napi_get_boolean(env_, resized_, &argv[2]);
  resized_ = false;
  chunks_[-static_cast<ptrdiff_t>(kChunkCols)] = chunk_count_;  // streamed-body chunks of this turn (body_stream.cc)
  napi_create_uint32(env_, ws_count_, &argv[3]);
  napi_status st = napi_call_function(env_, self, fn, 4, argv, &result);
  count_ = 0;
  chunk_count_ = 0;
  body_buf_count_ = 0;  // JS emptied the body-buffer array (body_buffer.cc)
  turn_++;
  ws_count_ = 0;
  hcount_ = 0;
  arena_used_ = 0;
  uint32_t rows = 0;
  if (st == napi_ok && result) {
    napi_get_value_uint32(env_, result, &rows);
  } else {
    RaisePendingException(env_);
  }
  ProcessRows(rows);
  dispatching_ = false;
  if (cs) napi_close_callback_scope(env_, cs);  // runs nextTicks and microtasks (async completions)
  napi_close_handle_scope(env_, hs);
}

void Server::Flush(uint32_t rows, napi_value lent) {
  in_js_call_ = true;
  if (lent != nullptr) Lend(lent);
  ProcessRows(rows);  // writes every touched connection (or copies what the socket did not take)
  out_lent_.clear();
  in_js_call_ = false;
}

// The lent chunks: each a Uint8Array (anything else lends nothing: its rows are dropped).
void Server::Lend(napi_value list) {
  bool is_array = false;
  if (napi_is_array(env_, list, &is_array) != napi_ok || !is_array) return;
  uint32_t n = 0;
  napi_get_array_length(env_, list, &n);
  out_lent_.reserve(n);
  for (uint32_t i = 0; i < n; i++) {
    uv_buf_t b = uv_buf_init(nullptr, 0);
    napi_value v, ab;
    bool is_ta = false;
    napi_typedarray_type t;
    size_t len = 0, off = 0;
    void* data = nullptr;
    if (napi_get_element(env_, list, i, &v) == napi_ok && napi_is_typedarray(env_, v, &is_ta) == napi_ok && is_ta &&
        napi_get_typedarray_info(env_, v, &t, &len, &data, &ab, &off) == napi_ok && t == napi_uint8_array &&
        data != nullptr && len <= UINT32_MAX) {
      b = uv_buf_init(static_cast<char*>(data), static_cast<unsigned>(len));
    }
    out_lent_.push_back(b);
  }
}

// A row outside the arena: the bytes of a lent chunk when it is a stream-data row naming one
// exactly (index and length), else nullptr (the row is dropped).
const char* Server::LentBytes(size_t off, size_t len, uint32_t flags) const {
  if (!(off & kOutLentOff) || !(flags & kOutStreamData) || (flags & ~(kOutStreamData | kOutWantDrain)) != 0) return nullptr;
  size_t k = off & ~size_t{kOutLentOff};
  if (k >= out_lent_.size() || out_lent_[k].base == nullptr || out_lent_[k].len != len || len == 0) return nullptr;
  return out_lent_[k].base;
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
  RaisePendingException(env_);
  if (cs) napi_close_callback_scope(env_, cs);
  napi_close_handle_scope(env_, hs);
  napi_async_destroy(env_, async_ctx_);
  async_ctx_ = nullptr;
  uint32_t rc = 0;
  napi_reference_unref(env_, self_ref_, &rc);
}

void Server::PinWrapper() { napi_reference_ref(env_, self_ref_, nullptr); }

}  // namespace jato::loop
