// server_internal.hpp — constants shared by the Server's source files (not part of its interface).
#pragma once
#include <cstddef>
#include <cstdint>

#include "gather_write.hpp"
#include "server.hpp"

namespace jato::loop::internal {

/** One read of a connection (libuv's suggested size is ignored). */
constexpr size_t kReadBufferSize = 64 * 1024;
/** With streaming on, a Content-Length body of this size or more that is not complete with its head
 *  is streamed even under max_body_bytes (body_buffer.cc reads it without a copy). */
constexpr uint64_t kStreamMinBody = 64 * 1024;
constexpr uint32_t kInitialRows = 4096;
constexpr uint32_t kInitialHeaderRows = 32768;
constexpr size_t kArenaSlack = 64 * 1024;
constexpr size_t kMaxIov = kGatherIovMax;  // gather_write.hpp
/** WebSocket connections a flush writes per loop turn; a larger fan-out queues the rest (fanout_writes.cc). */
constexpr size_t kFanoutWrites = 128;
constexpr size_t kWriteScratch = 64 * 1024;
/** Per-connection buffers above this capacity are freed once empty. */
constexpr size_t kKeepCapacity = 256 * 1024;

inline http::Limits parser_limits(const ServerOptions& o) {
  http::Limits l;
  l.max_head_bytes = o.max_head_bytes;
  l.max_headers = o.max_headers;
  // streamed bodies are framed up to their own limit (only whole ones over max_body_bytes are kept)
  l.max_body = o.max_body_bytes > o.max_stream_body_bytes ? o.max_body_bytes : o.max_stream_body_bytes;
  return l;
}

}  // namespace jato::loop::internal

namespace jato::loop {
using namespace internal;  // NOLINT: the Server's sources use these names unqualified
}  // namespace jato::loop
