// fuzz/fuzz_parser.cc — libFuzzer target for the head parser, the chunked decoder and the stream
// built on them (clang++ -fsanitize=fuzzer,address,undefined; see test/native/run.mjs).
// Input: byte 0 selects the SIMD level and limits, byte 1 seeds the random splits, the rest is the
// connection's bytes. Each input runs whole, in random splits and (when short) byte by byte, and
// at the scalar level; every run must produce the same requests and error, else we trap.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "describe.hpp"
#include "jato/parser/parser.hpp"

using namespace jato::http;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

std::vector<size_t> random_cuts(size_t n, uint32_t seed) {
  std::minstd_rand rng(seed + 1);
  std::vector<size_t> cuts;
  size_t at = 0;
  while (n > 1) {
    at += 1 + rng() % (n / 4 + 2);
    if (at >= n) break;
    cuts.push_back(at);
  }
  return cuts;
}

std::string chunked_run(const std::string& raw, const std::vector<size_t>& cuts, const Limits& limits) {
  // Models a caller: keeps the unconsumed bytes and presents them again with the next piece.
  ChunkedDecoder d(limits);
  std::string pending, out;
  size_t at = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(raw.size());
  for (size_t c : ends) {
    pending.append(raw, at, c - at);
    at = c;
    const auto* p = reinterpret_cast<const uint8_t*>(pending.data());
    int64_t used = d.decode(
        p, pending.size(),
        [&](const uint8_t* q, size_t n) {
          require(q >= p && q + n <= p + pending.size());
          out.append(reinterpret_cast<const char*>(q), n);
        },
        [&](const uint8_t* nm, size_t nl, const uint8_t* v, size_t vl) {
          require(nm >= p && nm + nl <= p + pending.size() && v >= p && v + vl <= p + pending.size());
          out += "[" + std::string(reinterpret_cast<const char*>(nm), nl) + "=" +
                 std::string(reinterpret_cast<const char*>(v), vl) + "]";
        });
    if (used < 0) return out + "|error" + std::to_string(static_cast<int>(d.error()));
    require(static_cast<size_t>(used) <= pending.size());
    pending.erase(0, static_cast<size_t>(used));
    if (d.done()) return out + "|done rest=" + std::to_string(pending.size() + raw.size() - at);
  }
  return out + "|incomplete";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t cfg = data[0];
  const uint32_t seed = data[1];
  const std::string raw(reinterpret_cast<const char*>(data + 2), size - 2);
  Limits limits;
  if (cfg & 4) {
    limits.max_head_bytes = 96;
    limits.max_headers = 4;
    limits.max_body = 64;
  }

  set_simd_level(static_cast<SimdLevel>(cfg % 3));
  const std::string whole = testing::run_split(raw, {}, limits);
  require(testing::run_split(raw, random_cuts(raw.size(), seed), limits) == whole);
  if (raw.size() <= 256) {
    std::vector<size_t> every;
    for (size_t k = 1; k < raw.size(); ++k) every.push_back(k);
    require(testing::run_split(raw, every, limits) == whole);
  }
  const std::string chunked = chunked_run(raw, {}, limits);
  require(chunked_run(raw, random_cuts(raw.size(), seed + 7), limits) == chunked);

  // The head parser alone, over an exact-size heap copy so ASan sees any over-read.
  {
    std::vector<uint8_t> exact(raw.begin(), raw.end());
    HeadParser hp(limits);
    RequestHead h;
    Header hs[8];
    int64_t r = hp.parse(exact.data(), exact.size(), h, hs, 8);
    require(r == kIncomplete || r == kFailed || (r > 0 && static_cast<size_t>(r) <= exact.size()));
    if (r > 0) {
      require(h.num_headers <= 8 && h.head_length == r);
      for (uint32_t i = 0; i < h.num_headers; ++i)
        require(size_t(hs[i].name.off) + hs[i].name.len <= size_t(r) && size_t(hs[i].value.off) + hs[i].value.len <= size_t(r));
      require(size_t(h.target.off) + h.target.len <= size_t(r));
    }
    if (r == kFailed) require(hp.error() != Error::None && status_of(hp.error()) >= 400);
    // Split in two with the header array clobbered in between (a shared scratch array): same head.
    if (r > 1) {
      const size_t cut = 1 + seed % static_cast<size_t>(r - 1);
      HeadParser hp2(limits);
      RequestHead h2;
      Header hs2[8];
      require(hp2.parse(exact.data(), cut, h2, hs2, 8) == kIncomplete);
      for (Header& x : hs2) x = Header{{0xFFFF, 0xFFFF}, {0xFFFF, 0xFFFF}};
      require(hp2.parse(exact.data(), exact.size(), h2, hs2, 8) == r);
      require(h2.num_headers == h.num_headers && h2.target.off == h.target.off && h2.target.len == h.target.len &&
              h2.body == h.body && h2.content_length == h.content_length && h2.keep_alive == h.keep_alive &&
              h2.host.off == h.host.off && h2.host.len == h.host.len && h2.method == h.method);
      for (uint32_t i = 0; i < h.num_headers; ++i)
        require(hs2[i].name.off == hs[i].name.off && hs2[i].name.len == hs[i].name.len &&
                hs2[i].value.off == hs[i].value.off && hs2[i].value.len == hs[i].value.len);
      require(hp2.parse(exact.data(), exact.size(), h2, hs2, 8) == r);  // again, without reset
    }
  }

  set_simd_level(SimdLevel::Scalar);
  require(testing::run_split(raw, {}, limits) == whole);
  set_simd_level(SimdLevel::Avx2);
  return 0;
}
