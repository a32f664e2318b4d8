// test/native/order_test.cc — seeded unit test of native/response_order.hpp (plain C++, built with
// ASan + UBSan by test/sanitize/run.mjs). Responses complete in random order, with duplicates,
// stale and unknown sequence numbers, unstable buffers and closing responses mixed in; the bytes must
// come out exactly in sequence, once each, ending with the closing one, and no held copy may remain.
// Prints one line per test and a final "RESULT <passed> <failed>".
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "response_order.hpp"
#include "unit_report.hpp"

using jato::loop::ResponseOrder;
using jato::unit::report;

namespace {

struct Wire {
  std::string bytes;
  void Write(const char* p, size_t len, bool) { bytes.append(p, len); }
  void WriteOwned(std::string&& b) { bytes += b; }
};

std::string body_of(uint32_t seq) { return "<" + std::to_string(seq) + ">"; }

// One connection: n requests (the last one maybe not keep-alive), responses completed in a random
// order with noise; returns a problem or "".
std::string one_connection(std::mt19937& rng) {
  ResponseOrder order;
  Wire wire;
  const uint32_t n = 1 + rng() % 64;
  uint32_t end_after = UINT32_MAX;
  std::vector<uint32_t> seqs;
  for (uint32_t i = 0; i < n; ++i) seqs.push_back(order.Assign());
  if (rng() % 3 == 0) {
    end_after = rng() % n;
    order.EndAfter(end_after);
  }
  std::vector<bool> close(n, false);
  for (uint32_t i = 0; i < n; ++i) close[i] = rng() % 16 == 0;
  std::shuffle(seqs.begin(), seqs.end(), rng);
  // the first closing response in sequence order ends the connection
  uint32_t last = n - 1;
  for (uint32_t i = 0; i < n; ++i)
    if (close[i] || i == end_after) {
      last = i;
      break;
    }
  std::vector<int> seen(n, 0);
  for (uint32_t s : seqs) {
    // noise: an unknown seq, a stale or duplicate one
    if (rng() % 4 == 0) {
      Wire before = wire;
      uint32_t bogus = n + rng() % 5;
      if (order.Complete(bogus, "x", 1, false, true, wire) != ResponseOrder::Outcome::Ignored)
        return "unknown seq " + std::to_string(bogus) + " not ignored";
      if (wire.bytes != before.bytes) return "unknown seq wrote bytes";
    }
    const std::string b = body_of(s);
    // an unstable buffer: overwritten right after the call (a held copy must not alias it)
    std::string scratch = b;
    auto outcome = order.Complete(s, scratch.data(), scratch.size(), close[s], false, wire);
    std::fill(scratch.begin(), scratch.end(), '#');
    if (outcome == ResponseOrder::Outcome::Ignored) return "first completion of " + std::to_string(s) + " ignored";
    seen[s]++;
    if (rng() % 5 == 0 && order.Complete(s, "dup", 3, false, true, wire) != ResponseOrder::Outcome::Ignored &&
        !order.finished())
      return "duplicate of " + std::to_string(s) + " not ignored";
  }
  std::string want;
  for (uint32_t i = 0; i <= last; ++i) want += body_of(i);
  if (wire.bytes != want) return "wire " + wire.bytes.substr(0, 200) + " want " + want.substr(0, 200);
  if (!order.held_empty() || order.held_bytes() != 0) return "held copies remain";
  bool ended = last < n - 1 || close[n - 1] || end_after == n - 1;
  if (order.finished() != ended) return "finished() is " + std::to_string(order.finished());
  if (!ended && !order.all_written()) return "not all written";
  return "";
}

void random_orders() {
  std::mt19937 rng(20261129);
  std::string problem;
  for (int t = 0; t < 5000 && problem.empty(); ++t) {
    problem = one_connection(rng);
    if (!problem.empty()) problem = "trial " + std::to_string(t) + ": " + problem;
  }
  report("responses completed in random order come out in sequence (5,000 seeded connections)", problem);
}

void held_bytes_track() {
  ResponseOrder order;
  Wire wire;
  for (int i = 0; i < 4; ++i) order.Assign();
  std::string problem;
  order.Complete(3, "ddd", 3, false, true, wire);
  order.Complete(1, "bb", 2, false, true, wire);
  if (order.held_bytes() != 5 || !wire.bytes.empty()) problem = "held 3 and 1";
  order.Complete(0, "a", 1, false, true, wire);
  if (problem.empty() && (wire.bytes != "abb" || order.held_bytes() != 3)) problem = "0 releases 1";
  order.Complete(2, "cc", 2, true, true, wire);
  if (problem.empty() && (wire.bytes != "abbcc" || order.held_bytes() != 0 || !order.finished()))
    problem = "2 closes: 3 is dropped, " + wire.bytes;
  if (problem.empty() && (order.Complete(3, "x", 1, false, true, wire) != ResponseOrder::Outcome::Dropped ||
                          order.Complete(1, "x", 1, false, true, wire) != ResponseOrder::Outcome::Ignored ||
                          wire.bytes != "abbcc"))
    problem = "after the close: a late answer is dropped, a repeated one ignored";
  report("held bytes are counted and a close drops what follows", problem);
}

// Streamed responses mixed with whole ones: each stream is Open, Data…, End (or Abort) in its own
// order, interleaved at random with every other response's events (so streams open before their
// turn and are held, and whole responses complete behind an open stream). The wire must hold every
// response whole and in sequence; after an Abort nothing more; no held copy may remain.
std::string stream_connection(std::mt19937& rng) {
  using Op = ResponseOrder::StreamOp;
  ResponseOrder order;
  Wire wire;
  const uint32_t n = 1 + rng() % 24;
  struct Ev {
    uint32_t seq;
    int kind;  // 0 whole, 1 open, 2 data, 3 end, 4 abort
    std::string bytes;
  };
  std::vector<std::vector<Ev>> per(n);
  std::string want;
  bool stopped = false;
  for (uint32_t i = 0; i < n; ++i) {
    order.Assign();
    if (rng() % 2 == 0) {
      per[i].push_back({i, 0, body_of(i)});
      if (!stopped) want += body_of(i);
      continue;
    }
    std::string head = "[h" + std::to_string(i) + "]";
    per[i].push_back({i, 1, head});
    if (!stopped) want += head;
    uint32_t k = rng() % 5;
    for (uint32_t j = 0; j < k; ++j) {
      std::string d = "d" + std::to_string(i) + "." + std::to_string(j) + ";";
      per[i].push_back({i, 2, d});
      if (!stopped) want += d;
    }
    bool abort = rng() % 8 == 0;
    std::string e = abort ? "" : "<e" + std::to_string(i) + ">";
    per[i].push_back({i, abort ? 4 : 3, e});
    if (!stopped) want += e;
    if (abort) stopped = true;
  }
  std::vector<size_t> next(n, 0);
  size_t remaining = 0;
  for (auto& v : per) remaining += v.size();
  while (remaining > 0) {
    uint32_t i = rng() % n;
    if (next[i] >= per[i].size()) continue;
    const Ev& ev = per[i][next[i]++];
    --remaining;
    std::string scratch = ev.bytes;  // unstable: overwritten after the call
    ResponseOrder::Outcome o;
    if (ev.kind == 0) o = order.Complete(ev.seq, scratch.data(), scratch.size(), false, false, wire);
    else {
      Op op = ev.kind == 1 ? Op::Open : ev.kind == 2 ? Op::Data : ev.kind == 3 ? Op::End : Op::Abort;
      o = order.Stream(ev.seq, scratch.data(), scratch.size(), op, false, false, wire);
    }
    std::fill(scratch.begin(), scratch.end(), '#');
    if (o == ResponseOrder::Outcome::Ignored) return "event of " + std::to_string(ev.seq) + " ignored";
    // noise: a whole response for a stream's seq, data for a stream never opened
    if (rng() % 6 == 0 && ev.kind == 1 && order.Complete(ev.seq, "X", 1, false, true, wire) != ResponseOrder::Outcome::Ignored &&
        !order.finished())
      return "a whole response for open stream " + std::to_string(ev.seq) + " was taken";
  }
  if (wire.bytes != want) return "wire " + wire.bytes.substr(0, 300) + " want " + want.substr(0, 300);
  if (!order.held_empty() || order.held_bytes() != 0) return "held copies remain";
  if (order.streaming()) return "still streaming";
  if (order.finished() != stopped) return "finished() is " + std::to_string(order.finished());
  return "";
}

void random_streams() {
  std::mt19937 rng(1010);
  std::string problem;
  for (int t = 0; t < 5000 && problem.empty(); ++t) {
    problem = stream_connection(rng);
    if (!problem.empty()) problem = "trial " + std::to_string(t) + ": " + problem;
  }
  report("streamed and whole responses interleaved come out whole and in sequence (5,000 seeded)", problem);
}

}  // namespace

int main() {
  random_orders();
  held_bytes_track();
  random_streams();
  return jato::unit::finish();
}
