// body_pool.hpp — a connection's reusable body buffers for borrowed bodies (body_pool.cc).
// A body JS reads with borrowed chunks (`req.stream({ borrowed: true })`: each chunk is valid only
// until the next one is asked for, the uWebSockets.js onData rule) tells the loop so with its first
// BodyRead. JS then reports a chunk consumed only when the consumer asks for the next one (or ends
// the iteration), so once JS consumed past the last byte of a filled body buffer, no chunk the
// consumer may still use points into it: the buffer is reused for a later read of this connection
// instead of a fresh Node Buffer (no allocation, no garbage for V8's young GC, memory that stays in
// the cache). Bodies read the default way never lend their buffers: JS keeps them as long as it likes.
// Memory: at most kPoolBuffers (3 × 256 KiB) per connection while it uploads; none once idle.
// Contract: owned by its Connection; plain data (the Server creates and deletes the references).
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace jato::loop {

/** Largest body buffer (one read can fill it: large reads, few crossings per MiB). Powers of two from
 *  BodyStream::buf_next's 16 KiB (body_buffer.cc); only buffers of this size are reused. */
constexpr size_t kBodyBufferSize = 256 * 1024;

/** A full-size body buffer (kBodyBufferSize) the loop holds a reference to. */
struct PooledBuffer {
  napi_ref ref = nullptr;
  char* data = nullptr;
  size_t cap = 0;
  uint32_t seq = 0;  // lent: the body whose bytes it holds
  uint64_t end = 0;  // lent: reusable once JS consumed this many bytes of that body
};

/** Consumption of a borrowed body that ended (the body being received counts in its BodyStream). */
struct ConsumedMark {
  uint32_t seq = 0;
  uint64_t consumed = 0;
};

struct BodyPool {
  std::vector<PooledBuffer> lent;   // filled, waiting for JS to consume past `end`, oldest first
  std::vector<PooledBuffer> spare;  // reusable now
  std::vector<ConsumedMark> marks;  // ended borrowed bodies with buffers still lent
};

/** A connection idle this long (or half its keep-alive timeout, if less) lets its buffers go (the sweep). */
constexpr uint64_t kPoolIdleMs = 1000;

/** Buffers a connection keeps (lent + spare); beyond, the oldest lent one is simply let go (JS keeps it). */
constexpr size_t kPoolBuffers = 3;

}  // namespace jato::loop
