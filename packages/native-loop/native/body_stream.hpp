// body_stream.hpp — the state of one streamed request body on the native loop (the contract is
// src/stream-input.ts) and the layout of the body-chunk table JS reads (mirrored in
// src/native/body-chunks.ts).
// A connection has at most one: the body of the last request framed, from its head until the body
// is complete, failed or cut (then the connection frames again, or stops). While it lives the
// connection's Framer is stopped (Phase::Done): its bytes go to Server::FeedBody (body_stream.cc).
// Contract: owned by its Connection (unique_ptr); plain data, no libuv or Node-API calls.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>

#include "jato/parser/chunked.hpp"
#include "jato/parser/types.hpp"

namespace jato::loop {

/** Body-chunk table: word 0 holds the number of chunks of the call; then kChunkCols Uint32 words per
 *  chunk (row-major, from word kChunkCols). kChunkBuf 0: the bytes are at kChunkOff in the input arena
 *  (valid during the call); k > 0: in the body buffer at index k - 1 of the call's body-buffer array,
 *  which JS keeps (body_buffer.cc). */
enum ChunkCol : uint32_t { kChunkConn = 0, kChunkSeq, kChunkOff, kChunkLen, kChunkEnd, kChunkBuf, kChunkCols };
/** `end` column: more follows / the body is complete; larger values are failure statuses. */
constexpr uint32_t kBodyMore = 0, kBodyDone = 1, kBodyAborted = 499;
/** Request flag: the body of this request comes as chunks (BODY_STREAM in stream-input.ts). */
constexpr uint32_t kStreamedBodyFlag = 256;
constexpr uint32_t kInitialChunkRows = 4096;

struct BodyStream {
  http::RequestHead head;      // the request's head (spans into the framed bytes) until it is emitted
  http::ChunkedDecoder chunked;
  uint64_t remaining = 0;      // Content-Length: body bytes still to come
  uint64_t received = 0;       // body bytes received (decoded), delivered or discarded
  uint64_t unread = 0;         // delivered to JS and not yet reported consumed (the window)
  uint64_t discarded = 0;      // received after the response (not delivered)
  size_t have = 0;             // while starting: body bytes at the end of the framed buffer
  uint32_t seq = 0;
  bool is_chunked = false;
  bool starting = true;        // the head is not emitted yet
  bool last = false;           // not keep-alive: nothing is framed after this body
  bool expect_continue = false;  // the client waits for 100 Continue (none of the body came yet)
  bool started = false;        // JS read it (reported consumption) at least once
  bool discarding = false;     // the response was written: the rest is read and dropped
  bool borrowed = false;       // JS reads it with borrowed chunks: its filled buffers are lent for reuse (body_pool.hpp)
  uint64_t consumed = 0;       // borrowed: bytes JS reported consumed
  bool window_hold = false;    // the window is full, reading stays on until this turn's dispatch (see UpdateReading)
  // direct reads (body_buffer.cc): the body is read into its own Node Buffer, whose
  // filled ranges JS keeps as the chunks (no copy); the Server creates and releases the reference
  napi_ref buf_ref = nullptr;
  char* buf = nullptr;
  size_t buf_cap = 0, buf_fill = 0;
  size_t buf_offered = 0;      // the length the last read was offered
  size_t buf_next = 16 * 1024; // the size of the next buffer: doubles while reads fill what they are offered
  uint32_t buf_turn = 0;       // the dispatch turn (+1) whose body-buffer array lists it
  uint32_t buf_slot = 0;       // its index there

  explicit BodyStream(const http::Limits& limits) : chunked(limits) {}
};

}  // namespace jato::loop
