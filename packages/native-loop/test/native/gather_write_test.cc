// test/native/gather_write_test.cc — seeded unit test of native/gather_write.hpp, the rules by which
// a flush gathers a connection's output (arena bytes and chunks JS lent for the call) into writevs:
// the gatherer of writer.cc is replayed on a real loopback TCP socket (SocketWrite, as the loop on
// Linux) with a small send buffer and a peer that reads late. Checked: no write gets more than
// kGatherIovMax (< IOV_MAX) pieces, a gather list that would pass it with a lent chunk is written
// first, every write takes a prefix, what the socket did not take is kept as a copy (the lent chunks
// are overwritten right after the flush), and the peer gets exactly the bytes in order.
// KeepUnsent's edges: nothing written, everything, a cut inside a piece, empty pieces, a refusing keep.
// Built with ASan + UBSan by test/sanitize/run.mjs; prints "RESULT <passed> <failed>".
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gather_write.hpp"
#include "socket_write.hpp"
#include "tcp_pair.hpp"
#include "unit_report.hpp"

using jato::loop::GatherFullForLent;
using jato::loop::kGatherIovMax;
using jato::loop::KeepUnsent;
using jato::loop::SocketWrite;
using jato::unit::drain_into;
using jato::unit::report;
using jato::unit::tcp_pair;

namespace {

static_assert(kGatherIovMax < IOV_MAX, "a gather list always fits one writev");

struct Piece {
  char* base;
  size_t len;
};

/** writer.cc's gatherer for one connection, replayed: Gather, WriteGathered, the lent-row rule. */
struct Gatherer {
  int fd;
  std::vector<Piece> gather;
  std::string pending;  // the connection's unsent output (a copy)
  std::string written;  // what the socket took, in order
  size_t writes = 0, max_count = 0, early = 0;
  std::string problem;

  void Gather(char* p, size_t len) {
    if (len == 0) return;
    if (!gather.empty() && gather.back().base + gather.back().len == p) {
      gather.back().len += len;
      return;
    }
    gather.push_back(Piece{p, len});
  }

  void Lent(char* p, size_t len) {
    if (GatherFullForLent(gather.size())) {
      early++;
      WriteGathered();
    }
    Gather(p, len);
  }

  void WriteGathered() {
    size_t done = 0;
    if (pending.empty() && gather.size() <= kGatherIovMax && !gather.empty()) {
      writes++;
      if (gather.size() > max_count) max_count = gather.size();
      std::vector<iovec> iov;
      size_t total = 0;
      for (const Piece& q : gather) {
        iov.push_back(iovec{q.base, q.len});
        total += q.len;
      }
      long r = SocketWrite(fd, iov.data(), iov.size());
      if (r == -EAGAIN) r = 0;
      if (r < 0) {
        problem = "write error " + std::to_string(r);
        r = 0;
      }
      if (static_cast<size_t>(r) > total) problem = "wrote more than given";
      done = static_cast<size_t>(r);
      for (size_t i = 0, left = done; i < gather.size() && left > 0; i++) {
        size_t k = left < gather[i].len ? left : gather[i].len;
        written.append(gather[i].base, k);
        left -= k;
      }
    } else if (gather.size() > kGatherIovMax) {
      problem = "a gather list of " + std::to_string(gather.size()) + " pieces";
    }
    if (!KeepUnsent(gather.data(), gather.size(), done, [this](const char* p, size_t n) {
          pending.append(p, n);
          return true;
        })) {
      problem = "keep refused";
    }
    gather.clear();
  }
};

// One flush of seeded rows: arena pieces (chunk framing, contiguous when consecutive) and lent chunks
// (their own memory, overwritten once the flush is over), more of them than one writev takes.
std::string flush_rows(uint32_t seed, int sndbuf) {
  std::mt19937 rng(seed);
  auto [srv, cli] = tcp_pair(sndbuf);
  if (srv < 0) return "no loopback TCP pair";
  std::string arena(4 << 20, '\0');
  size_t at = 0;
  std::vector<std::unique_ptr<std::string>> lent;
  std::string expected;
  Gatherer g{srv, {}, {}, {}, 0, 0, 0, {}};
  const size_t rows = 600 + rng() % 1400;
  for (size_t i = 0; i < rows && at + 64 < arena.size(); i++) {
    if (rng() % 4 != 0) {
      // a lent chunk: 1 byte to 16 KiB
      size_t n = 1 + (rng() % 8 == 0 ? rng() % 16384 : rng() % 200);
      auto chunk = std::make_unique<std::string>(n, '\0');
      for (char& ch : *chunk) ch = static_cast<char>(rng());
      expected += *chunk;
      g.Lent(&(*chunk)[0], n);
      lent.push_back(std::move(chunk));
    }
    // framing bytes in the arena (after a chunk, before the next one)
    size_t n = 1 + rng() % 12;
    for (size_t k = 0; k < n; k++) arena[at + k] = static_cast<char>(rng());
    expected.append(arena, at, n);
    g.Gather(&arena[at], n);
    at += n + (rng() % 5 == 0 ? 3 : 0);  // sometimes a gap: not contiguous with the next piece
  }
  g.WriteGathered();
  // the flush is over: the lent chunks and the arena are the caller's again
  for (auto& chunk : lent) std::memset(&(*chunk)[0], 0xee, chunk->size());
  std::memset(&arena[0], 0xdd, arena.size());
  std::string received;
  drain_into(cli, received, 2000);
  close(srv);
  close(cli);
  if (!g.problem.empty()) return g.problem;
  if (g.max_count > kGatherIovMax) return "a write of " + std::to_string(g.max_count) + " pieces";
  if (g.early == 0) return "no gather list reached the limit (the rule was not exercised)";
  if (received != g.written) return "the peer got other bytes than the socket took";
  if (g.written + g.pending != expected) return "written + kept differ from the rows' bytes";
  if (sndbuf > 0 && g.pending.empty()) return "the socket took everything (no partial write exercised)";
  return "";
}

std::string keep_unsent_edges() {
  char a[] = "abc", b[] = "", c[] = "defgh";
  Piece p[3] = {{a, 3}, {b, 0}, {c, 5}};
  auto kept = [&](size_t done) {
    std::string out;
    KeepUnsent(p, 3, done, [&](const char* q, size_t n) {
      out.append(q, n);
      return true;
    });
    return out;
  };
  if (kept(0) != "abcdefgh") return "nothing written: all kept";
  if (kept(2) != "cdefgh") return "a cut inside the first piece";
  if (kept(3) != "defgh") return "a cut at a piece's end (an empty piece after it)";
  if (kept(6) != "gh") return "a cut inside the last piece";
  if (kept(8) != "") return "everything written: nothing kept";
  if (KeepUnsent(p, 3, 1, [](const char*, size_t) { return false; })) return "a refusing keep is not reported";
  if (!KeepUnsent(p, 0, 0, [](const char*, size_t) { return false; })) return "no pieces: nothing to keep";
  if (!GatherFullForLent(kGatherIovMax - 1) || GatherFullForLent(kGatherIovMax - 2)) return "GatherFullForLent bound";
  return "";
}

}  // namespace

int main() {
  report("KeepUnsent and GatherFullForLent edges", keep_unsent_edges());
  for (uint32_t seed = 1; seed <= 6; seed++) {
    int sndbuf = seed % 3 == 0 ? 0 : 8192 * static_cast<int>(seed);
    report("a flush of lent chunks and framing past the iovec limit (seed " + std::to_string(seed) + ", SO_SNDBUF " +
               std::to_string(sndbuf) + ")",
           flush_rows(0x6a7e0000u + seed, sndbuf));
  }
  return jato::unit::finish();
}
