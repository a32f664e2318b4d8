// c-floor: the floor of the streaming scenarios — the least a server on this machine can spend in
// user space for them, so the kernel's share of a download or upload is visible beside the real
// servers. Plain C on one epoll loop, one thread, no framework; NOT a general HTTP server: it frames
// only what the stream bench's clients send (bench/src/stream/clients.mjs).
//   GET /download   1 MiB chunked (16 chunks of 64 KiB) from one prebuilt buffer in memory: the
//                   head and every chunk are one contiguous response, sent with as few send(2) calls
//                   as the socket takes (EAGAIN: wait for EPOLLOUT, go on from the same offset)
//   POST /upload    Content-Length body read into one 256 KiB buffer and discarded; answers its length
//   anything else   404
// PORT/HOST from the environment; SIGTERM exits. C_FLOOR_WRITE=<bytes>: at most that many bytes per
// send(2) (to see what the size of a server's writes costs; default: no cap).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define CHUNKS 16
#define HEAD_MAX 8192
#define READ_BUF (256 * 1024)

enum state { HEAD, BODY, SEND };

struct conn {
  int fd;
  enum state st;
  char head[HEAD_MAX];
  size_t have;          // bytes in head[]
  size_t body_left;     // BODY: upload bytes still to read
  size_t body_len;      // BODY: the declared length (the answer)
  const char *out;      // SEND: what is left to send
  size_t out_left;
  char small[128];      // a short answer (upload length, 404)
  int wants_out;        // EPOLLOUT registered
};

static char *download;  // the whole download response: head + 16 chunks + terminator
static size_t download_len;
static char read_buf[READ_BUF];
static int ep;
static size_t write_cap = (size_t)-1;

static void build_download(void) {
  static const char head[] =
      "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  char size_line[16];
  int sl = snprintf(size_line, sizeof size_line, "%x\r\n", CHUNK);
  download_len = (sizeof head - 1) + CHUNKS * ((size_t)sl + CHUNK + 2) + 5;
  download = malloc(download_len);
  if (!download) exit(1);
  char *p = download;
  memcpy(p, head, sizeof head - 1);
  p += sizeof head - 1;
  for (int i = 0; i < CHUNKS; i++) {
    memcpy(p, size_line, (size_t)sl);
    p += sl;
    memset(p, 'x', CHUNK);
    p += CHUNK;
    memcpy(p, "\r\n", 2);
    p += 2;
  }
  memcpy(p, "0\r\n\r\n", 5);
}

static void close_conn(struct conn *c) {
  close(c->fd);  // also leaves the epoll set
  free(c);
}

static void want_out(struct conn *c, int on) {
  if (c->wants_out == on) return;
  // while an answer waits for room, input is not read (one answer at a time): EPOLLOUT only
  struct epoll_event ev = {.events = on ? EPOLLOUT : EPOLLIN, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
  c->wants_out = on;
}

// Sends what is left; 1: all sent, 0: the socket is full (EPOLLOUT armed), -1: closed.
static int send_out(struct conn *c) {
  while (c->out_left > 0) {
    ssize_t n = send(c->fd, c->out, c->out_left < write_cap ? c->out_left : write_cap, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        want_out(c, 1);
        return 0;
      }
      close_conn(c);
      return -1;
    }
    c->out += n;
    c->out_left -= (size_t)n;
  }
  want_out(c, 0);
  c->st = HEAD;
  return 1;
}

static void answer(struct conn *c, const char *text, size_t len) {
  c->out = text;
  c->out_left = len;
  c->st = SEND;
}

// A complete head at head[0, end): sets up the answer or the body to read. 0: close.
static int on_head(struct conn *c, size_t end) {
  c->head[end - 1] = '\0';
  if (strncmp(c->head, "GET /download ", 14) == 0) {
    answer(c, download, download_len);
    return 1;
  }
  if (strncmp(c->head, "POST /upload ", 13) == 0) {
    const char *p = strcasestr(c->head, "\r\ncontent-length:");
    if (!p) return 0;
    c->body_len = c->body_left = strtoull(p + 17, NULL, 10);
    c->st = BODY;
    return 1;
  }
  static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  answer(c, nf, sizeof nf - 1);
  return 1;
}

static void body_done(struct conn *c) {
  char digits[24];
  int dl = snprintf(digits, sizeof digits, "%zu", c->body_len);
  int n = snprintf(c->small, sizeof c->small, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", dl, digits);
  answer(c, c->small, (size_t)n);
}

// Bytes in head[] are framed: heads completed, upload bytes counted off, answers sent.
// Returns -1 when the connection was closed.
static int frame(struct conn *c) {
  for (;;) {
    if (c->st == SEND) {
      int r = send_out(c);
      if (r <= 0) return r;
    }
    if (c->st == BODY) {
      size_t take = c->have < c->body_left ? c->have : c->body_left;
      memmove(c->head, c->head + take, c->have - take);
      c->have -= take;
      c->body_left -= take;
      if (c->body_left > 0) return 0;
      body_done(c);
      continue;
    }
    char *e = memmem(c->head, c->have, "\r\n\r\n", 4);
    if (!e) {
      if (c->have == HEAD_MAX) {
        close_conn(c);
        return -1;
      }
      return 0;
    }
    size_t end = (size_t)(e - c->head) + 4;
    if (!on_head(c, end)) {
      close_conn(c);
      return -1;
    }
    memmove(c->head, c->head + end, c->have - end);
    c->have -= end;
  }
}

static void on_readable(struct conn *c) {
  for (;;) {
    if (c->st == SEND) return;  // one answer at a time: the rest waits in the socket
    ssize_t n;
    if (c->st == BODY && c->have == 0) {
      // the body: straight into the discard buffer, as much as the socket holds
      size_t want = c->body_left < READ_BUF ? c->body_left : READ_BUF;
      n = recv(c->fd, read_buf, want, 0);
      if (n > 0) {
        c->body_left -= (size_t)n;
        if (c->body_left == 0) {
          body_done(c);
          if (frame(c) < 0) return;
        }
        continue;
      }
    } else {
      n = recv(c->fd, c->head + c->have, HEAD_MAX - c->have, 0);
      if (n > 0) {
        c->have += (size_t)n;
        if (frame(c) < 0) return;
        continue;
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    close_conn(c);  // EOF or error
    return;
  }
}

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGTERM, on_term);
  signal(SIGPIPE, SIG_IGN);
  build_download();
  const char *cap = getenv("C_FLOOR_WRITE");
  if (cap && atoll(cap) > 0) write_cap = (size_t)atoll(cap);
  const char *host = getenv("HOST");
  const char *port = getenv("PORT");
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port ? port : "8080"))};
  if (inet_pton(AF_INET, host ? host : "127.0.0.1", &a.sin_addr) != 1 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
      listen(lfd, 1024) < 0) {
    perror("c-floor: listen");
    return 1;
  }
  ep = epoll_create1(0);
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
  struct epoll_event evs[64];
  for (;;) {
    int n = epoll_wait(ep, evs, 64, -1);
    for (int i = 0; i < n; i++) {
      struct conn *c = evs[i].data.ptr;
      if (!c) {
        int fd;
        while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct conn *nc = calloc(1, sizeof *nc);
          if (!nc) {
            close(fd);
            continue;
          }
          nc->fd = fd;
          struct epoll_event ev = {.events = EPOLLIN, .data.ptr = nc};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        }
        continue;
      }
      if (evs[i].events & EPOLLOUT) {
        if (send_out(c) < 0) continue;
        if (c->st == SEND) continue;
        if (frame(c) < 0) continue;  // pipelined bytes already read
      }
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
    }
  }
}
