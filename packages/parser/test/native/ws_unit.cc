// test/native/ws_unit.cc — the C++ WebSocket frame parser (jato/parser/ws_frame.hpp) against the shared
// case list (test/ws-corpus, converted to lines by run.mjs, target ws): every case whole, byte by byte, split in
// two at every offset and in seeded random pieces must give the expected events; then seeded hostile
// streams (mutated cases, random splits) under ASan+UBSan: no crash, the same events however the bytes
// are split, at most one final event. Also unit checks of the writer and the unmasking at every phase.
// Usage: ws_unit [--seeds DIR] CASES.tsv   Prints PASS/FAIL lines and `RESULT passed failed`.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "jato/parser/ws_frame.hpp"

using namespace jato::ws;

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string& name, const std::string& detail = "") {
  if (ok) {
    passed++;
  } else {
    failed++;
    std::printf("FAIL %s %s\n", name.c_str(), detail.c_str());
  }
}

std::string fnv(const uint8_t* p, size_t n) {
  uint32_t h = 0x811c9dc5u;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x01000193u;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

struct Recorder {
  std::vector<std::string> events;
  size_t pause_every = 0;  // pause after every k-th event (exercises resumption)
  size_t seen = 0;
  bool pause() { return !(pause_every && ++seen % pause_every == 0); }
  bool on_message(uint8_t op, const uint8_t* d, size_t n, bool z) {
    events.push_back(std::string(op == kText ? "text" : "binary") + (z ? "+z" : "") + ":" + std::to_string(n) + ":" + fnv(d, n));
    return pause();
  }
  bool on_control(uint8_t op, const uint8_t* d, size_t n) {
    events.push_back(std::string(op == kPing ? "ping" : "pong") + ":" + std::to_string(n) + ":" + fnv(d, n));
    return pause();
  }
  void on_close(uint16_t code, const uint8_t* r, size_t n) {
    events.push_back("close:" + std::to_string(code) + ":" + std::to_string(n) + ":" + fnv(r, n));
  }
  void on_error(uint16_t code) { events.push_back("error:" + std::to_string(code)); }
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); i++) s += (i ? "|" : "") + v[i];
  return s.empty() ? "-" : s;
}

// Feeds `bytes` in pieces ending at `cuts` (each a fresh heap copy: ASan sees any overread).
std::string run(const std::string& bytes, const std::vector<size_t>& cuts, const Limits& l, size_t pause_every = 0) {
  Parser p(l);
  Recorder r;
  r.pause_every = pause_every;
  size_t at = 0;
  for (size_t k = 0; k <= cuts.size(); k++) {
    size_t end = k < cuts.size() ? cuts[k] : bytes.size();
    if (end < at) continue;
    std::vector<uint8_t> piece(bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(end));
    size_t used = 0;
    int guard = 0;
    while (used < piece.size() && guard++ < 1000000) used += p.parse(piece.data() + used, piece.size() - used, r);
    at = end;
  }
  return join(r.events);
}

std::vector<size_t> random_cuts(size_t n, std::mt19937& rng, size_t max_piece) {
  std::vector<size_t> cuts;
  size_t at = 0;
  while (n > 0 && at < n) {
    at += 1 + rng() % max_piece;
    if (at < n) cuts.push_back(at);
  }
  return cuts;
}

std::string unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

struct Case {
  std::string name, expect, raw;
  Limits limits;
};

void writer_and_unmask() {
  uint8_t out[kMaxHeader];
  check(write_header(out, kBinary, 125) == 2 && out[1] == 125, "writer 125: 7-bit");
  check(write_header(out, kBinary, 126) == 4 && out[1] == 126 && out[3] == 126, "writer 126: 16-bit");
  check(write_header(out, kText, 65535) == 4 && out[2] == 0xFF && out[3] == 0xFF, "writer 65535: 16-bit");
  check(write_header(out, kText, 65536) == 10 && out[1] == 127 && out[7] == 1 && out[8] == 0, "writer 65536: 64-bit");
  check(header_size(65536, true) == 14, "header size masked 64-bit");
  uint8_t close[130];
  check(write_close(close, 1000, "bye", 3) == 7 && close[0] == 0x88 && close[1] == 5 && close[2] == 0x03 && close[3] == 0xE8,
        "close frame 1000 bye");
  check(write_close(close, kNoStatus) == 2 && close[1] == 0, "close 1005 is an empty close frame");
  // unmask at every phase and length equals the byte-wise definition
  const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
  bool ok = true;
  for (uint32_t phase = 0; phase < 4; phase++) {
    for (size_t n = 0; n < 70; n++) {
      std::vector<uint8_t> a(n), b(n);
      for (size_t i = 0; i < n; i++) a[i] = b[i] = static_cast<uint8_t>(i * 7 + 3);
      uint32_t next = unmask(a.data(), n, mask, phase);
      for (size_t i = 0; i < n; i++) b[i] ^= mask[(phase + i) & 3];
      ok = ok && a == b && next == ((phase + n) & 3);
    }
  }
  check(ok, "unmask (SIMD / word / byte tails) equals the byte-wise definition at every phase and length");
  // UTF-8: every 1–4 byte sequence class
  struct { const char* hex; bool ok; } u[] = {{"", true}, {"7f", true}, {"c280", true}, {"c1bf", false}, {"e0a080", true},
      {"e09f80", false}, {"ed9fbf", true}, {"eda080", false}, {"f0908080", true}, {"f08f8080", false},
      {"f48fbfbf", true}, {"f4908080", false}, {"f8", false}, {"e282", false}};
  for (auto& c : u) {
    std::string b = unhex(c.hex);
    check(valid_utf8(reinterpret_cast<const uint8_t*>(b.data()), b.size()) == c.ok, std::string("utf8 ") + c.hex);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string seeds, file;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--seeds" && i + 1 < argc) seeds = argv[++i];
    else file = a;
  }
  writer_and_unmask();
  std::vector<Case> cases;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) f.push_back(cell);
    if (f.size() < 5) continue;
    Case c;
    c.name = f[0];
    c.limits.max_message = std::stoull(f[1]);
    c.limits.require_mask = f[2] == "1";
    c.limits.allow_rsv1 = f[3] == "1";
    c.expect = f[4];
    c.raw = f.size() > 5 ? unhex(f[5]) : "";
    cases.push_back(c);
  }
  check(cases.size() > 80, "case list loaded", std::to_string(cases.size()) + " cases");
  std::mt19937 rng(0x14);
  for (const Case& c : cases) {
    std::string got = run(c.raw, {}, c.limits);
    bool ok = got == c.expect;
    std::string how = "whole";
    if (ok && c.raw.size() <= 4096) {
      std::vector<size_t> every;
      for (size_t i = 1; i < c.raw.size(); i++) every.push_back(i);
      got = run(c.raw, every, c.limits);
      ok = got == c.expect;
      how = "byte by byte";
      for (size_t cut = 1; ok && cut < c.raw.size(); cut++) {
        got = run(c.raw, {cut}, c.limits);
        ok = got == c.expect;
        how = "split at " + std::to_string(cut);
      }
    }
    for (int k = 0; ok && k < 20; k++) {
      got = run(c.raw, random_cuts(c.raw.size(), rng, 1 + rng() % 3000), c.limits, 1 + k % 3);
      ok = got == c.expect;
      how = "random pieces, paused";
    }
    check(ok, c.name, ok ? "" : how + ": got " + got.substr(0, 300) + " want " + c.expect.substr(0, 300));
    if (!seeds.empty()) {
      std::ofstream s(seeds + "/" + std::to_string(&c - &cases[0]));
      std::string flags(1, static_cast<char>((c.limits.require_mask ? 0 : 1) | (c.limits.allow_rsv1 ? 2 : 0)));
      s << flags << static_cast<char>(&c - &cases[0]) << c.raw.substr(0, 8192);
    }
  }
  // seeded hostile streams: mutated cases, random splits; the split must not change the events
  bool hostile_ok = true;
  std::string detail;
  int rounds = 0;
  for (; rounds < 20000 && hostile_ok; rounds++) {
    const Case& c = cases[rng() % cases.size()];
    std::string b = c.raw.substr(0, 4096);
    int flips = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < flips && !b.empty(); k++) {
      switch (rng() % 4) {
        case 0: b[rng() % b.size()] = static_cast<char>(rng()); break;
        case 1: b.insert(rng() % b.size(), 1, static_cast<char>(rng())); break;
        case 2: b.erase(rng() % b.size(), 1); break;
        default: b += cases[rng() % cases.size()].raw.substr(0, 64); break;
      }
    }
    Limits l = c.limits;
    l.max_message = 1 + rng() % 2048;
    std::string whole = run(b, {}, l);
    std::string split = run(b, random_cuts(b.size(), rng, 1 + rng() % 40), l, rng() % 4);
    if (whole != split) {
      hostile_ok = false;
      detail = "round " + std::to_string(rounds) + ": whole " + whole.substr(0, 200) + " split " + split.substr(0, 200);
    }
    size_t finals = 0;
    for (size_t at = 0; (at = whole.find("error:", at)) != std::string::npos; at++) finals++;
    for (size_t at = 0; (at = whole.find("close:", at)) != std::string::npos; at++) finals++;
    if (finals > 1) {
      hostile_ok = false;
      detail = "more than one final event: " + whole.substr(0, 300);
    }
  }
  check(hostile_ok, "20000 seeded hostile streams: no crash, split-invariant events, at most one final event", detail);
  std::printf("PASS ws frame unit checks\n");
  std::printf("RESULT %d %d\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
