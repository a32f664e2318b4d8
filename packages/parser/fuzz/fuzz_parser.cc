// fuzz/fuzz_parser.cc — libFuzzer target for the head parser, the chunked decoder and the framer
// (jato/parser/framer.hpp, the server's framing loop with its in-place chunked decoding) built on
// them (clang++ -fsanitize=fuzzer,address,undefined; see test/native/run.mjs).
// Input: byte 0 selects the SIMD level, the limits and whether empty lines before a request are
// skipped (the server's setting); byte 1 seeds the random splits; the rest is the connection's
// bytes. Each input is framed whole, in random splits and (when short) byte by byte, at the scalar
// level, and the way the server frames (exact-size buffers, framing paused at random request
// boundaries as under backpressure); every run must produce the same requests and error, else we trap.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "describe.hpp"
#include "jato/parser/framer.hpp"
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

// The server's way: a connection buffer that only holds what is unframed (an exact-size heap copy
// per read, so ASan sees any over-read or write past n), framing paused at random request
// boundaries (backpressure) and resumed before the next read, requests checked against the buffer.
struct ServerHost {
  std::vector<native::OwnedRequest>& out;
  std::vector<std::pair<std::string, std::string>> trailers;
  std::minstd_rand& rng;
  const char* lo = nullptr;
  const char* hi = nullptr;
  bool paused = false;
  bool may_start() {
    if (rng() % 4 == 0) paused = true;
    return !paused;
  }
  void on_head_start() { trailers.clear(); }
  bool on_body_start(const RequestHead& h, size_t) {
    require(h.body != BodyKind::None);
    return true;
  }
  void on_trailer(const uint8_t* nm, size_t nl, const uint8_t* v, size_t vl) {
    require(reinterpret_cast<const char*>(nm) >= lo && reinterpret_cast<const char*>(v + vl) <= hi);
    trailers.emplace_back(std::string(reinterpret_cast<const char*>(nm), nl), std::string(reinterpret_cast<const char*>(v), vl));
  }
  bool on_request(const char* msg, const RequestHead& h, size_t hl, const Header* hs, const char* body, size_t bl) {
    require(msg >= lo && msg + hl <= hi && (bl == 0 || (body >= msg + hl && body + bl <= hi)));
    require(hl == h.head_length);
    native::OwnedRequest r;
    r.head = h;
    r.bytes.assign(msg, hl);
    r.headers.assign(hs, hs + h.num_headers);
    r.body.assign(body ? body : "", bl);
    r.trailers.swap(trailers);
    out.push_back(std::move(r));
    return true;
  }
  void on_error(Error e) { require(e != Error::None); }
};

std::string server_run(const std::string& raw, const std::vector<size_t>& cuts, const Limits& limits, bool skip,
                       uint32_t seed) {
  std::minstd_rand rng(seed * 31 + 5);
  std::vector<native::OwnedRequest> out;
  ServerHost host{out, {}, rng};
  Framer f(limits, skip);
  std::vector<Header> hs(limits.max_headers + 1);
  std::string kept;
  std::vector<size_t> ends = cuts;
  ends.push_back(raw.size());
  size_t at = 0;
  for (size_t c : ends) {
    kept.append(raw, at, c - at);
    at = c;
    do {  // resume after every pause: a pause never loses or reorders a request
      host.paused = false;
      std::vector<char> buf(kept.begin(), kept.end());  // exact size
      size_t n = buf.size();
      host.lo = buf.data();
      host.hi = buf.data() + n;
      size_t used = f.frame(buf.data(), n, host, hs.data(), static_cast<uint32_t>(hs.size()));
      require(n <= buf.size() && used <= n);
      kept.assign(buf.data() + used, n - used);
      if (f.done()) kept.clear();
    } while (host.paused && !kept.empty());
  }
  return testing::describe(out, f.error());
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

  const bool skip = (cfg & 8) != 0;

  set_simd_level(static_cast<SimdLevel>(cfg % 3));
  const std::string whole = testing::run_split(raw, {}, limits, skip);
  require(testing::run_split(raw, random_cuts(raw.size(), seed), limits, skip) == whole);
  require(server_run(raw, {}, limits, skip, seed) == whole);
  require(server_run(raw, random_cuts(raw.size(), seed + 3), limits, skip, seed) == whole);
  if (raw.size() <= 256) {
    std::vector<size_t> every;
    for (size_t k = 1; k < raw.size(); ++k) every.push_back(k);
    require(testing::run_split(raw, every, limits, skip) == whole);
    require(server_run(raw, every, limits, skip, seed) == whole);
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
  require(testing::run_split(raw, {}, limits, skip) == whole);
  set_simd_level(SimdLevel::Avx2);
  return 0;
}
