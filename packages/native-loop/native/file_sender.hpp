// file_sender.hpp — one file body being sent from the native loop (see file_sender.cc).
// Contract: owned by its connection's `files` queue (front = the one sending) until it finishes;
// once the connection is gone it is an orphan, freed by its own read callback if a read is in flight.
#pragma once
#include <uv.h>

#include <cstdint>

namespace jato::loop {

class Server;

/** The row bytes of a file body (kOutStreamFile): the descriptor JS keeps open until the done
 *  notice, the first byte and the byte count (doubles: exact below 2^53). */
struct FileRow {
  int32_t fd;
  uint32_t reserved;
  double offset;
  double length;
};
static_assert(sizeof(FileRow) == 24, "FileRow is 24 bytes (mirrored in src/native/file-row.ts)");

struct FileSend {
  Server* server = nullptr;
  uint32_t conn = 0;
  uint32_t seq = 0;
  int fd = -1;           // our own dup of the row's descriptor, closed when this ends
  uint64_t pos = 0;      // next byte to read
  uint64_t end = 0;      // one past the last byte announced
  bool close = false;    // close the connection after this response
  bool reading = false;  // a uv_fs_read is in flight (req and buf are busy)
  bool orphan = false;   // the connection is gone
  bool no_sendfile = false;  // sendfile(2) refused this pair: read + write only
  char* buf = nullptr;
  uv_fs_t req;
};

}  // namespace jato::loop
