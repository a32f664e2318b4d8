// test/native/numbered_out_test.cc — seeded unit test of native/numbered_out.hpp (plain C++, built
// with ASan + UBSan by test/sanitize/run.mjs). Random templates (empty, split at either end, larger
// than a block, splits past the end), numbers across the digit-count and uint32 edges, and flushes
// (Reset) at random: every expansion is the template with the number's digits at the split, and
// every expansion made since the last Reset still holds its bytes (the blocks never move).
// Prints one line per test and a final "RESULT <passed> <failed>".
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "numbered_out.hpp"
#include "unit_report.hpp"

using jato::loop::NumberedOut;
using jato::unit::report;

namespace {

struct Made {
  const char* p;
  size_t len;
  std::string want;
};

std::string random_bytes(std::mt19937& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

uint32_t random_number(std::mt19937& rng) {
  static const uint32_t edges[] = {0, 1, 9, 10, 99, 100, 999999999, 1000000000, 4294967295u, 2147483647u, 2147483648u};
  if (rng() % 3 == 0) return edges[rng() % (sizeof(edges) / sizeof(edges[0]))];
  return static_cast<uint32_t>(rng()) >> (rng() % 32);
}

void random_expansions() {
  std::mt19937 rng(4242);
  NumberedOut out;
  std::vector<Made> live;
  std::string problem;
  for (int t = 0; t < 20000 && problem.empty(); ++t) {
    if (rng() % 50 == 0) {
      // a flush ended: what was made before may be reused, so check it first
      for (const Made& m : live) {
        if (std::string(m.p, m.len) != m.want) problem = "an expansion changed before Reset";
      }
      live.clear();
      out.Reset();
      continue;
    }
    size_t len = rng() % 8 == 0 ? (rng() % 200000) : (rng() % 300);
    std::string tpl = random_bytes(rng, len);
    size_t split = rng() % 10 == 0 ? len + rng() % 5 : (len == 0 ? 0 : rng() % (len + 1));
    uint32_t num = random_number(rng);
    size_t n = 0;
    const char* p = out.Expand(tpl.data(), tpl.size(), split, num, &n);
    size_t at = split > len ? len : split;
    std::string want = tpl.substr(0, at) + std::to_string(num) + tpl.substr(at);
    if (n != want.size() || std::string(p, n) != want) {
      problem = "trial " + std::to_string(t) + ": len " + std::to_string(len) + " split " + std::to_string(split) + " num " +
                std::to_string(num);
    }
    live.push_back({p, n, want});
  }
  for (const Made& m : live) {
    if (problem.empty() && std::string(m.p, m.len) != m.want) problem = "an expansion changed (end)";
  }
  report("expansions are the template with the digits at the split and stay put until Reset (20,000 seeded)", problem);
}

void consecutive_are_contiguous() {
  NumberedOut out;
  const std::string tpl = "HTTP/1.1 200 OK\r\nX-Request-Id: abc-\r\n\r\nHello world!";
  const size_t split = tpl.find("\r\n\r\n");
  size_t n1 = 0, n2 = 0;
  const char* a = out.Expand(tpl.data(), tpl.size(), split, 7, &n1);
  const char* b = out.Expand(tpl.data(), tpl.size(), split, 12345, &n2);
  std::string problem;
  if (a + n1 != b) problem = "the second expansion does not follow the first";
  if (problem.empty() && std::string(a, n1 + n2) !=
                             "HTTP/1.1 200 OK\r\nX-Request-Id: abc-7\r\n\r\nHello world!HTTP/1.1 200 OK\r\nX-Request-Id: abc-12345\r\n\r\nHello world!")
    problem = "bytes: " + std::string(a, n1 + n2);
  report("consecutive expansions are one contiguous run (one gather entry)", problem);
}

}  // namespace

int main() {
  random_expansions();
  consecutive_are_contiguous();
  return jato::unit::finish();
}
