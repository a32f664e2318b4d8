// socket_write.hpp — one non-blocking write of a gather list straight to a Linux socket.
// Contract: send(2) for one buffer, sendmsg(2) for several, with MSG_DONTWAIT | MSG_NOSIGNAL (a
// peer that left is an error, never a SIGPIPE), issued through syscall(2): the same bytes as
// write(2)/writev(2) without the VFS layer's file dispatch and without libc's cancellation-point
// wrapper. EINTR is retried. Returns the bytes written (possibly fewer than given), or -errno:
// -EAGAIN when the socket takes nothing now, which is UV_EAGAIN, as every -errno is libuv's error
// code on Unix. count must be 1..IOV_MAX. The caller keeps byte order (nothing else queued).
// Defines JATO_SOCKET_WRITE where it exists (Linux with the sendto/sendmsg syscalls).
#pragma once
#if defined(__linux__)
#include <sys/syscall.h>
#endif
#if defined(__linux__) && defined(SYS_sendto) && defined(SYS_sendmsg)
#define JATO_SOCKET_WRITE 1
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace jato::loop {

inline long SocketWrite(int fd, const iovec* bufs, size_t count) {
  long n;
  if (count == 1) {
    do {
      n = syscall(SYS_sendto, fd, bufs[0].iov_base, bufs[0].iov_len, MSG_DONTWAIT | MSG_NOSIGNAL, nullptr, 0);
    } while (n < 0 && errno == EINTR);
  } else {
    msghdr m{};
    m.msg_iov = const_cast<iovec*>(bufs);
    m.msg_iovlen = count;
    do {
      n = syscall(SYS_sendmsg, fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
  }
  if (n >= 0) return n;
  return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

}  // namespace jato::loop
#endif
