// file_sender.cc — file bodies sent from the native loop, without a call into JS per chunk.
// JS opens a streamed response (kOutStreamOpen row, the head with its Content-Length) and follows it
// with a kOutStreamFile row naming a descriptor, an offset and a length. When it is the file's turn
// in the connection's ResponseOrder (pipelined responses keep their order: a file waits for the
// earlier ones, later ones wait for the file) and everything before it is in the kernel, the loop
// calls sendfile(2) on the non-blocking socket: page cache to socket, no copy in user space, as
// much as the socket buffer takes (like nginx's `sendfile on`, on the loop thread: a file that is
// not in the page cache is read from disk within the call). When the socket is full, the next
// kFileChunk is read with uv_fs_read on libuv's thread pool into the sender's buffer and written as
// stream data; that write's completion says the socket takes more, and sendfile resumes.
// Backpressure: nothing is read while the connection's unsent output is at or above one chunk, so a
// slow reader holds at most ~2 chunks + the buffer. (Without sendfile — EINVAL — it is read + write.)
// Safety: never more than `length` bytes are sent; a read error or a file that became shorter ends
// the response with an abort (the connection closes: the client sees fewer bytes than announced).
// When it finishes the loop closes its own dup of the descriptor and puts `id | kFileDoneBit` (plus
// kFileFailBit on failure) in the closed list of the next per-turn call: JS closes its descriptor.
#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>

#include <cmath>
#include <cstring>

#include "file_sender.hpp"
#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

namespace {
constexpr size_t kFileChunk = 128 * 1024;
/** Bytes per sendfile(2) call (it returns early when the socket buffer is full). */
constexpr size_t kSendfileMax = 4 * 1024 * 1024;
constexpr double kMaxSafe = 9007199254740991.0;  // 2^53 - 1

bool ValidRange(double v) { return std::isfinite(v) && v >= 0 && v <= kMaxSafe && std::floor(v) == v; }
}  // namespace

void Server::StartFile(Connection* c, uint32_t seq, const char* p, size_t len, uint32_t flags) {
  FileRow row{};
  bool ok = len == sizeof row;
  if (ok) {
    std::memcpy(&row, p, sizeof row);
    ok = row.fd >= 0 && ValidRange(row.offset) && ValidRange(row.length) && row.offset + row.length <= kMaxSafe;
  }
  int fd = ok && !c->closing ? dup(row.fd) : -1;
  auto* f = new FileSend();
  f->server = this;
  f->conn = c->id;
  f->seq = seq;
  f->fd = fd;
  f->close = (flags & kOutClose) != 0;
  if (fd >= 0) {
    f->pos = static_cast<uint64_t>(row.offset);
    f->end = f->pos + static_cast<uint64_t>(row.length);
  }
  c->files.push_back(f);  // a bad row still queues: it fails (abort) when its turn comes, in order
}

void Server::PumpFile(Connection* c) {
  while (!c->closing && !c->files.empty()) {
    FileSend* f = c->files.front();
    if (f->reading) return;
    bool stale = c->order.finished() || f->seq < c->order.write_seq();
    if (stale || f->fd < 0) {  // never sendable (connection finishing, bad row): fail it
      FinishFile(c, f, false, !stale);
      FreeFile(f);
      continue;
    }
    if (c->order.write_seq() != f->seq || !c->order.streaming()) return;  // not its turn yet
    if (f->pos < f->end && c->output_idle() && !f->no_sendfile) {
      // everything before it is in the kernel: sendfile(2) straight from the page cache to the
      // socket, as much as the socket buffer takes (non-blocking socket)
      int sfd = SendfileChunk(c, f);
      if (sfd < 0) continue;  // failed: f was finished and freed
    }
    if (f->pos >= f->end) {
      FinishFile(c, f, true, true);
      FreeFile(f);
      if (!c->gather.empty()) {  // later responses it released: write them (then pump again)
        FlushConn(c);
        return;
      }
      continue;
    }
    if (c->unsent() >= kFileChunk) return;  // backpressure: OnWrite pumps again
    // the socket is full (or sendfile cannot be used): read a chunk on the thread pool; its write's
    // completion tells when the socket takes more
    if (f->buf == nullptr) f->buf = new char[kFileChunk];
    uint64_t left = f->end - f->pos;
    uv_buf_t b = uv_buf_init(f->buf, static_cast<unsigned>(left < kFileChunk ? left : kFileChunk));
    f->req.data = f;
    if (uv_fs_read(loop_, &f->req, f->fd, &b, 1, static_cast<int64_t>(f->pos), OnFileRead) != 0) {
      FinishFile(c, f, false, true);
      FreeFile(f);
      continue;
    }
    f->reading = true;
    fs_pending_++;
    return;
  }
}

int Server::SendfileChunk(Connection* c, FileSend* f) {
  uv_os_fd_t sock = -1;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&c->tcp), &sock) != 0) {
    f->no_sendfile = true;
    return 0;
  }
  while (f->pos < f->end) {
    uint64_t left = f->end - f->pos;
    size_t n = left < kSendfileMax ? static_cast<size_t>(left) : kSendfileMax;
    off_t off = static_cast<off_t>(f->pos);
    ssize_t r = sendfile(sock, f->fd, &off, n);
    if (r > 0) {
      f->pos += static_cast<uint64_t>(r);
      stats_.bytes_written += static_cast<uint64_t>(r);
      c->write_since = uv_now(loop_);
      if (static_cast<size_t>(r) < n) return 0;  // the socket buffer is full
      continue;
    }
    if (r == 0) {  // the file became shorter than announced: close
      FinishFile(c, f, false, true);
      FreeFile(f);
      return -1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {  // not sendfile-able: read + write
      f->no_sendfile = true;
      return 0;
    }
    FinishFile(c, f, false, true);  // the socket failed (reset, broken pipe)
    FreeFile(f);
    CloseConn(c);
    return -1;
  }
  return 0;
}

void Server::OnFileRead(uv_fs_t* req) {
  auto* f = static_cast<FileSend*>(req->data);
  Server* s = f->server;
  ssize_t r = req->result;
  uv_fs_req_cleanup(req);
  f->reading = false;
  s->fs_pending_--;
  Connection* c = f->orphan ? nullptr : s->Find(f->conn);
  if (c == nullptr || c->closing || c->files.empty() || c->files.front() != f) {
    if (f->orphan) FreeFile(f);  // else its connection still owns it (closing: DropFiles frees it)
    s->DeleteIfOrphanDone();
    return;
  }
  uint64_t left = f->end - f->pos;
  bool finished = true;
  if (r <= 0 || static_cast<uint64_t>(r) > left) {  // error, or the file became shorter: close
    s->FinishFile(c, f, false, true);
  } else {
    f->pos += static_cast<uint64_t>(r);
    // stable: f->buf is neither reused nor freed before FlushConn below has written or copied it
    s->DeliverStream(c, f->seq, f->buf, static_cast<size_t>(r), kOutStreamData);
    if (f->pos >= f->end) s->FinishFile(c, f, true, true);
    else finished = false;
  }
  s->FlushConn(c);  // writes, then pumps the next chunk (or the next file)
  if (finished) FreeFile(f);
}

void Server::FinishFile(Connection* c, FileSend* f, bool ok, bool end_stream) {
  c->files.erase(c->files.begin());
  if (end_stream) {
    DeliverStream(c, f->seq, nullptr, 0, ok ? (kOutStreamEnd | (f->close ? kOutClose : 0)) : (kOutStreamAbort | kOutClose));
  }
  closed_ids_.push_back(c->id | kFileDoneBit | (ok ? 0 : kFileFailBit));
  Wake();
}

// (the caller frees f once nothing gathered points into its buffer)

void Server::DropFiles(Connection* c) {
  for (FileSend* f : c->files) {
    if (f->reading) f->orphan = true;  // its read callback frees it
    else FreeFile(f);
  }
  c->files.clear();
}

void Server::FreeFile(FileSend* f) {
  if (f->fd >= 0) ::close(f->fd);
  delete[] f->buf;
  delete f;
}

}  // namespace jato::loop
