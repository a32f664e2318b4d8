// test/native/socket_write_test.cc — seeded unit test of native/socket_write.hpp on real loopback TCP
// sockets (built with ASan + UBSan by test/sanitize/run.mjs). Gather lists of random piece counts and
// sizes are written until the socket takes nothing: every call writes a prefix of what it was given
// (never more, never a negative count but -EAGAIN), and what arrives at the peer, once it reads, is
// exactly the bytes of the accepted prefixes, in order. A socket whose peer reset answers
// -ECONNRESET or -EPIPE (no SIGPIPE: the process would die), a closed descriptor -EBADF.
// Prints one line per test and a final "RESULT <passed> <failed>".
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "socket_write.hpp"
#include "tcp_pair.hpp"
#include "unit_report.hpp"

using jato::loop::SocketWrite;
using jato::unit::drain_into;
using jato::unit::report;
using jato::unit::tcp_pair;

namespace {

// Random gather lists until the socket is full (-EAGAIN), then the peer reads: the bytes match.
// pieces: 0 = random counts, 1 = always one buffer (send), 2 = always several (sendmsg)
std::string fill_and_check(uint32_t seed, int sndbuf, bool nonblocking, int pieces_mode) {
  std::mt19937 rng(seed);
  auto [srv, cli] = tcp_pair(sndbuf, nonblocking);
  const time_t started = time(nullptr);
  if (srv < 0) return "no loopback TCP pair";
  std::string sent;      // what SocketWrite said it wrote, in order
  std::string received;
  std::vector<std::string> pieces;
  std::vector<iovec> iov;
  bool saw_again = false, saw_short = false;
  std::string problem;
  for (int call = 0; call < 100000 && problem.empty(); call++) {
    size_t count = 1 + rng() % 12;
    if (rng() % 3 == 0 || pieces_mode == 1) count = 1;
    if (pieces_mode == 2 && count == 1) count = 2;
    pieces.assign(count, std::string());
    iov.clear();
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
      size_t n = 1 + (rng() % 4 == 0 ? rng() % 70000 : rng() % 300);
      pieces[i].resize(n);
      for (char& ch : pieces[i]) ch = static_cast<char>(rng());
      iov.push_back(iovec{&pieces[i][0], n});
      total += n;
    }
    long r = SocketWrite(srv, iov.data(), iov.size());
    if (r == -EAGAIN) {
      saw_again = true;
      // the peer reads some now and then: the next writes find room again
      if (rng() % 4 == 0) {
        drain_into(cli, received, 0);
        continue;
      }
      break;
    }
    if (r < 0) {
      problem = "unexpected error " + std::to_string(r);
      break;
    }
    if (static_cast<size_t>(r) > total) {
      problem = "wrote more than given";
      break;
    }
    if (static_cast<size_t>(r) < total) saw_short = true;
    size_t left = static_cast<size_t>(r);
    for (size_t i = 0; i < count && left > 0; i++) {
      size_t k = left < pieces[i].size() ? left : pieces[i].size();
      sent.append(pieces[i], 0, k);
      left -= k;
    }
  }
  if (problem.empty()) {
    shutdown(srv, SHUT_WR);
    drain_into(cli, received, 5000);
    if (!saw_again) problem = "the socket never filled";
    else if (!saw_short && sndbuf > 0) problem = "no short write seen";
    else if (time(nullptr) - started >= 10) problem = "a write waited for the peer";
    else if (received != sent) problem = "peer got " + std::to_string(received.size()) + " bytes, " + std::to_string(sent.size()) + " were written";
  }
  close(srv);
  close(cli);
  return problem;
}

// The peer resets: every later write (send for one buffer, sendmsg for two) is -ECONNRESET or
// -EPIPE, and the process gets no SIGPIPE (it would die: SIGPIPE keeps its default action).
std::string reset_peer(uint32_t seed, size_t count) {
  std::mt19937 rng(seed);
  auto [srv, cli] = tcp_pair(0);
  if (srv < 0) return "no loopback TCP pair";
  std::string some(1 + rng() % 5000, 'x');
  iovec one{&some[0], some.size()};
  if (SocketWrite(srv, &one, 1) != static_cast<long>(some.size())) return "first write short";
  linger lg{1, 0};
  setsockopt(cli, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(cli);  // unread data + linger 0: RST
  std::string problem;
  int errors = 0;
  for (int i = 0; i < 3 && problem.empty(); i++) {
    iovec two[2] = {{&some[0], some.size()}, {&some[0], 1}};
    long r = SocketWrite(srv, two, count);
    if (r == -ECONNRESET || r == -EPIPE) errors++;
    else if (r < 0) problem = "error " + std::to_string(r);
  }
  if (problem.empty() && errors < 2) problem = "writes after the reset did not fail";
  close(srv);
  return problem;
}

std::string bad_fd() {
  auto [srv, cli] = tcp_pair(0);
  if (srv < 0) return "no loopback TCP pair";
  close(srv);
  close(cli);
  char b = 'x';
  iovec one{&b, 1};
  iovec two[2] = {{&b, 1}, {&b, 1}};
  if (SocketWrite(srv, &one, 1) != -EBADF) return "send on a closed fd is not -EBADF";
  if (SocketWrite(srv, two, 2) != -EBADF) return "sendmsg on a closed fd is not -EBADF";
  return "";
}

}  // namespace

int main() {
  for (uint32_t seed = 1; seed <= 8; seed++) {
    int sndbuf = seed % 2 == 0 ? 0 : 4096 * static_cast<int>(seed);
    bool nonblocking = seed <= 6;
    report("fill, short writes, order (seed " + std::to_string(seed) + ", SO_SNDBUF " + std::to_string(sndbuf) +
               (nonblocking ? "" : seed % 2 ? ", blocking descriptor, sendmsg" : ", blocking descriptor, send") + ")",
           fill_and_check(0x50c3e700u + seed, sndbuf, nonblocking, nonblocking ? 0 : 1 + seed % 2));
  }
  for (uint32_t seed = 1; seed <= 4; seed++) {
    size_t count = 1 + seed % 2;
    report("peer reset (seed " + std::to_string(seed) + (count == 1 ? ", send" : ", sendmsg") + ")", reset_peer(0x7e5e7000u + seed, count));
  }
  report("closed descriptor", bad_fd());
  return jato::unit::finish();
}
