// test/native/tcp_pair.hpp — loopback TCP helpers shared by the native-loop C++ unit tests
// (socket_write_test.cc, gather_write_test.cc): a connected pair and a quiet-bounded drain.
#pragma once
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace jato::unit {

/** A connected loopback TCP pair: {server side (non-blocking), client side}; {-1, -1} on failure. */
inline std::pair<int, int> tcp_pair(int sndbuf, bool nonblocking = true) {
  int lis = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (lis < 0 || bind(lis, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(lis, 1) != 0 ||
      getsockname(lis, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (lis >= 0) close(lis);
    return {-1, -1};
  }
  int cli = socket(AF_INET, SOCK_STREAM, 0);
  if (cli < 0 || connect(cli, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(lis);
    if (cli >= 0) close(cli);
    return {-1, -1};
  }
  int srv = accept(lis, nullptr, nullptr);
  close(lis);
  if (srv < 0) {
    close(cli);
    return {-1, -1};
  }
  int one = 1;
  setsockopt(srv, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (sndbuf > 0) setsockopt(srv, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  if (nonblocking) {
    fcntl(srv, F_SETFL, fcntl(srv, F_GETFL) | O_NONBLOCK);
  } else {
    // a blocking descriptor: SocketWrite must not wait anyway (MSG_DONTWAIT); a write that did
    // would return only after this timeout, which the test notices
    timeval tv{20, 0};
    setsockopt(srv, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  return {srv, cli};
}

/** Reads everything the peer has for up to `ms` of quiet (blocking poll, no sleeps). */
inline void drain_into(int fd, std::string& out, int ms) {
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace jato::unit
