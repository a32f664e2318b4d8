// test/native/describe.hpp — canonical text of what a Stream produced, so runs over different
// splits of the same bytes and different SIMD levels can be compared for equality.
#pragma once
#include <string>
#include <vector>

#include "stream.hpp"

namespace jato::http::testing {

inline std::string span_text(const std::string& bytes, Span s) {
  if (static_cast<size_t>(s.off) + s.len > bytes.size()) return "<span out of range>";
  return bytes.substr(s.off, s.len);
}

inline std::string describe(const native::OwnedRequest& r) {
  const RequestHead& h = r.head;
  std::string o;
  o += span_text(r.bytes, h.method_span) + "|" + std::to_string(static_cast<int>(h.method)) + "|";
  o += span_text(r.bytes, h.target) + "|" + std::to_string(static_cast<int>(h.form)) + "|1." +
       std::to_string(h.version_minor) + "|";
  for (const Header& x : r.headers) o += span_text(r.bytes, x.name) + ":" + span_text(r.bytes, x.value) + ";";
  o += "|host=" + span_text(r.bytes, h.host) + "|body" + std::to_string(static_cast<int>(h.body)) + "," +
       std::to_string(h.content_length) + "=" + r.body + "|";
  for (const auto& t : r.trailers) o += t.first + ":" + t.second + ";";
  o += "|ka" + std::to_string(h.keep_alive) + " ex" + std::to_string(h.expect_continue) + " up" +
       std::to_string(h.upgrade) + " len" + std::to_string(h.head_length) + "\n";
  return o;
}

inline std::string describe(const std::vector<native::OwnedRequest>& reqs, Error err) {
  std::string o;
  for (const auto& r : reqs) o += describe(r);
  o += "error=" + std::to_string(static_cast<int>(err));
  return o;
}

/** Feeds `raw` to a fresh Stream in pieces ending at each offset of `cuts` (then the rest). */
inline std::string run_split(const std::string& raw, const std::vector<size_t>& cuts, const Limits& limits,
                             bool skip_empty_lines = false) {
  native::Stream s(limits, skip_empty_lines);
  std::vector<native::OwnedRequest> out;
  size_t at = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(raw.data());
  for (size_t c : cuts) {
    if (c < at || c > raw.size()) continue;
    s.push(p + at, c - at, out);
    at = c;
  }
  s.push(p + at, raw.size() - at, out);
  return describe(out, s.error());
}

}  // namespace jato::http::testing
