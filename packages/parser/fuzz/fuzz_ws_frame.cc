// fuzz/fuzz_ws_frame.cc — libFuzzer target for the WebSocket frame parser (jato/parser/ws_frame.hpp)
// (clang++ -fsanitize=fuzzer,address,undefined; see test/native/run.mjs, target ws).
// Input: byte 0 selects the limits (bit 0: masks not required, bit 1: RSV1 allowed, bits 2–7: the
// max message size), byte 1 seeds the random splits and pauses; the rest is a client's bytes. Parsed
// whole and in random pieces with pauses: both runs must report the same events, with at most one
// final event (close or error) and only the codes 1002/1007/1009, else we trap.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "jato/parser/ws_frame.hpp"

using namespace jato::ws;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

struct Host {
  std::vector<uint64_t> events;
  uint32_t pause_mask = 0;
  uint32_t n = 0;
  int finals = 0;
  uint64_t sum(const uint8_t* d, size_t len) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) h = (h ^ d[i]) * 1099511628211ull;
    return h ^ (uint64_t{len} << 40);
  }
  bool on_message(uint8_t op, const uint8_t* d, size_t len, bool z) {
    require(op == kText || op == kBinary);
    if (op == kText && !z) require(valid_utf8(d, len));
    events.push_back(sum(d, len) + op + (z ? 16 : 0));
    return (pause_mask >> (n++ & 31) & 1) == 0;
  }
  bool on_control(uint8_t op, const uint8_t* d, size_t len) {
    require((op == kPing || op == kPong) && len <= 125);
    events.push_back(sum(d, len) + op);
    return (pause_mask >> (n++ & 31) & 1) == 0;
  }
  void on_close(uint16_t code, const uint8_t* r, size_t len) {
    require(code == kNoStatus || valid_close_code(code));
    require(valid_utf8(r, len));
    events.push_back(sum(r, len) + code);
    finals++;
  }
  void on_error(uint16_t code) {
    require(code == kProtocolError || code == kInvalidPayload || code == kTooBig);
    events.push_back(code);
    finals++;
  }
};

std::vector<uint64_t> run(const uint8_t* data, size_t size, const Limits& l, std::mt19937* rng) {
  Host h;
  Parser p(l);
  if (rng) h.pause_mask = static_cast<uint32_t>((*rng)());
  size_t at = 0;
  while (at < size) {
    size_t piece = rng ? 1 + (*rng)() % 64 : size;
    if (piece > size - at) piece = size - at;
    std::vector<uint8_t> buf(data + at, data + at + piece);  // exact-size copy: ASan sees overreads
    size_t used = 0;
    int guard = 0;
    while (used < buf.size()) {
      used += p.parse(buf.data() + used, buf.size() - used, h);
      require(++guard < 100000);
    }
    at += piece;
    require(p.buffered() <= l.max_message + 14 + 125);
  }
  require(h.finals <= 1);
  return h.events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Limits l;
  l.require_mask = (data[0] & 1) == 0;
  l.allow_rsv1 = (data[0] & 2) != 0;
  l.max_message = uint64_t{1} << (data[0] >> 2 & 15);  // 1 B … 32 KiB
  if ((data[0] >> 6) == 3) l.max_message = uint64_t{16} << 20;
  std::mt19937 rng(data[1]);
  std::vector<uint8_t> a(data + 2, data + size), b(a);
  auto whole = run(a.data(), a.size(), l, nullptr);
  auto split = run(b.data(), b.size(), l, &rng);
  require(whole == split);
  return 0;
}
