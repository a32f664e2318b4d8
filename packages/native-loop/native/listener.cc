// listener.cc — the listening socket (created with SO_REUSEADDR / SO_REUSEPORT before libuv adopts
// it; the host parsed with inet_pton, which every runtime's libc has), accepting connections,
// looking them up, and the peer address of a connection.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

int Server::Listen(std::string& err, std::string& address, int& port, int& family) {
  if (started_ || closing_) {
    err = "already started";
    return UV_EINVAL;
  }
  sockaddr_storage ss{};
  int af;
  auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, opt_.host.c_str(), &a4->sin_addr) == 1) {
    af = AF_INET;
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(opt_.port));
  } else if (::inet_pton(AF_INET6, opt_.host.c_str(), &a6->sin6_addr) == 1) {
    af = AF_INET6;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(opt_.port));
  } else {
    err = "host must be a numeric IPv4 or IPv6 address: " + opt_.host;
    return UV_EINVAL;
  }
  int fd = ::socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = std::string("socket: ") + std::strerror(errno);
    return -errno;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (opt_.reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int e = errno;
    ::close(fd);
    err = std::string("SO_REUSEPORT: ") + std::strerror(e);
    return -e;
  }
  socklen_t slen = af == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), slen) != 0 || ::listen(fd, 511) != 0) {
    int e = errno;
    ::close(fd);
    err = std::string("listen ") + opt_.host + ":" + std::to_string(opt_.port) + ": " + std::strerror(e);
    return -e;
  }
  uv_tcp_init(loop_, &listener_);
  listener_.data = this;
  own_handles_open_++;
  listener_open_ = true;
  int r = uv_tcp_open(&listener_, fd);
  if (r == 0) r = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 511, OnConnection);
  if (r != 0) {
    err = std::string("listen: ") + uv_strerror(r);
    listener_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), OnOwnHandleClosed);
    return r;
  }
  sockaddr_storage bound{};
  int blen = sizeof bound;
  uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &blen);
  char name[INET6_ADDRSTRLEN] = {0};
  if (bound.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&bound);
    uv_ip6_name(a, name, sizeof name);
    port = ntohs(a->sin6_port);
    family = 6;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&bound);
    uv_ip4_name(a, name, sizeof name);
    port = ntohs(a->sin_port);
    family = 4;
  }
  address = name;

  // the loop's own helpers never keep the process alive
  uv_check_init(loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, OnCheck);
  uv_unref(reinterpret_cast<uv_handle_t*>(&check_));
  uv_idle_init(loop_, &idle_);
  idle_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&idle_));
  uint64_t sweep = std::min({opt_.headers_timeout, opt_.keep_alive_timeout, opt_.write_timeout,
                             opt_.body_grace ? opt_.body_grace : uint64_t{1000}, opt_.linger_timeout}) / 4;
  sweep = std::clamp<uint64_t>(sweep, 5, 1000);
  uv_timer_init(loop_, &sweep_);
  sweep_.data = this;
  uv_timer_start(&sweep_, OnSweep, sweep, sweep);
  uv_unref(reinterpret_cast<uv_handle_t*>(&sweep_));
  uv_timer_init(loop_, &date_timer_);
  date_timer_.data = this;
  uv_timer_start(&date_timer_, OnDateTimer, 1000, 1000);
  uv_unref(reinterpret_cast<uv_handle_t*>(&date_timer_));
  uv_timer_init(loop_, &deadline_);
  deadline_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&deadline_));
  own_handles_open_ += 5;
  started_ = listening_ = true;
  PinWrapper();  // stay alive while handles are open
  return 0;
}

void Server::OnConnection(uv_stream_t* listener, int status) {
  auto* s = static_cast<Server*>(listener->data);
  if (status < 0 || s->closing_) return;
  auto* c = new (std::nothrow) Connection();
  if (!c) return;
  uv_tcp_init(s->loop_, &c->tcp);
  c->tcp.data = c;
  c->server = s;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    c->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  c->framer.set_limits(s->limits_);
  uv_tcp_nodelay(&c->tcp, 1);
  int len = sizeof c->peer;
  uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&c->peer), &len);
  do {
    c->id = s->next_conn_id_++;
    if (s->next_conn_id_ == 0 || s->next_conn_id_ >= kMaxConnId) s->next_conn_id_ = 1;  // ids stay under the notice bits
  } while (s->conns_.count(c->id));
  s->conns_.emplace(c->id, c);
  s->stats_.connections++;
  s->stats_.accepted++;
  c->idle_since = uv_now(s->loop_);
  s->UpdateReading(c);
}

Connection* Server::Find(uint32_t id) const {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second;
}

bool Server::Remote(uint32_t conn, std::string& address, int& port) const {
  Connection* c = Find(conn);
  if (!c || c->closing) return false;
  char name[INET6_ADDRSTRLEN] = {0};
  if (c->peer.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&c->peer);
    uv_ip6_name(a, name, sizeof name);
    port = ntohs(a->sin6_port);
  } else if (c->peer.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&c->peer);
    uv_ip4_name(a, name, sizeof name);
    port = ntohs(a->sin_port);
  } else {
    return false;
  }
  address = name;
  return true;
}

}  // namespace jato::loop
