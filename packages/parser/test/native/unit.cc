// test/native/unit.cc — native unit tests of the header-only parser (built with ASan + UBSan by
// test/native/run.mjs). Every stream case runs whole, split at every offset, byte by byte and at
// every SIMD level; all runs must describe the same requests and error. Prints one line per test
// and a final "RESULT <passed> <failed>".
//   unit [--seeds DIR] [corpus.tsv]   (--seeds: also write every case as a fuzz seed into DIR)
//   corpus.tsv: one case per line, written by test/native/corpus-tsv.mjs
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "describe.hpp"
#include "jato/parser/framer.hpp"
#include "jato/parser/parser.hpp"
#include "stream.hpp"
#include "unit_report.hpp"

using namespace jato::http;
using native::OwnedRequest;
using native::Stream;
using jato::unit::report;

namespace {

std::string g_seed_dir;  // when set, every stream case is also written there as a fuzz seed
int g_seeds = 0;

// Fuzz input format (fuzz/fuzz_parser.cc): config byte, split seed byte, then the bytes.
void write_seed(const std::string& raw, bool small_limits) {
  if (g_seed_dir.empty()) return;
  std::ofstream f(g_seed_dir + "/seed-" + std::to_string(g_seeds++), std::ios::binary);
  f << static_cast<char>(small_limits ? 6 : 2) << static_cast<char>(g_seeds & 0xff) << raw;
}

const char* kErrorNames[] = {
    "None", "BadMethod", "BadTarget", "BadVersion", "BadRequestLine", "BadHeaderName", "BadHeaderValue",
    "BareLineFeed", "BareCarriageReturn", "ObsFold", "WhitespaceBeforeColon", "LeadingWhitespace",
    "BadContentLength", "DuplicateContentLength", "ContentLengthWithTransferEncoding",
    "TransferEncodingOnHttp10", "BadTransferEncoding", "MissingHost", "DuplicateHost", "BadHost",
    "BadChunkSize", "BadChunkExtension", "BadChunkData", "BadTrailer", "BadConnection", "TargetTooLong",
    "HeadTooLarge", "TooManyHeaders", "BodyTooLarge", "UnknownTransferCoding", "VersionNotSupported",
};
static_assert(sizeof(kErrorNames) / sizeof(kErrorNames[0]) == static_cast<size_t>(Error::Count_), "names");

const char* name_of(Error e) {
  size_t i = static_cast<size_t>(e);
  return i < static_cast<size_t>(Error::Count_) ? kErrorNames[i] : "?";
}

struct Run {
  std::vector<OwnedRequest> reqs;
  Error err = Error::None;
};

Run run_whole(const std::string& raw, const Limits& limits) {
  Run r;
  Stream s(limits);
  s.push(reinterpret_cast<const uint8_t*>(raw.data()), raw.size(), r.reqs);
  r.err = s.error();
  return r;
}

// Whole vs 2-way splits (every offset unless long) vs byte by byte vs a few random 3+-way splits, at every SIMD level.
std::string consistency(const std::string& raw, const Limits& limits) {
  using testing::describe;
  using testing::run_split;
  set_simd_level(SimdLevel::Scalar);
  const std::string ref = run_split(raw, {}, limits);
  const SimdLevel levels[] = {SimdLevel::Scalar, SimdLevel::Sse42, SimdLevel::Avx2};
  std::mt19937 rng(static_cast<uint32_t>(raw.size() * 2654435761u));
  for (SimdLevel lv : levels) {
    set_simd_level(lv);
    if (run_split(raw, {}, limits) != ref) return "whole differs at SIMD level " + std::to_string(int(lv));
    // Every offset of a case up to 2 KiB; for longer ones the first and last 64 and ~256 between.
    const size_t stride = raw.size() > 2048 ? raw.size() / 256 : 1;
    for (size_t k = 1; k < raw.size(); k += (k < 64 || k + 64 >= raw.size()) ? 1 : stride)
      if (run_split(raw, {k}, limits) != ref)
        return "split at " + std::to_string(k) + " differs (level " + std::to_string(int(lv)) + "):\n" +
               run_split(raw, {k}, limits) + "\nvs whole:\n" + ref;
    std::vector<size_t> bytes;
    for (size_t k = 1; k < raw.size(); ++k) bytes.push_back(k);
    if (run_split(raw, bytes, limits) != ref) return "byte-by-byte differs (level " + std::to_string(int(lv)) + ")";
    for (int t = 0; t < 8 && raw.size() > 2; ++t) {
      std::vector<size_t> cuts;
      size_t at = 0;
      while (true) {
        at += 1 + rng() % (raw.size() / 3 + 1);
        if (at >= raw.size()) break;
        cuts.push_back(at);
      }
      if (run_split(raw, cuts, limits) != ref) return "random split differs";
    }
  }
  set_simd_level(SimdLevel::Avx2);
  return "";
}

using Check = std::function<std::string(const std::vector<OwnedRequest>&)>;

std::string text(const OwnedRequest& r, Span s) { return testing::span_text(r.bytes, s); }

void stream_case(const std::string& name, const std::string& raw, Error want, size_t nreq, Check check = nullptr,
                 Limits limits = Limits{}) {
  write_seed(raw, limits.max_head_bytes != Limits{}.max_head_bytes);
  Run r = run_whole(raw, limits);
  std::string problem;
  if (r.err != want) problem = std::string("error ") + name_of(r.err) + ", want " + name_of(want);
  else if (r.reqs.size() != nreq)
    problem = std::to_string(r.reqs.size()) + " requests, want " + std::to_string(nreq);
  else if (check) problem = check(r.reqs);
  if (problem.empty()) problem = consistency(raw, limits);
  report(name, problem);
}

// A case answered with `error` and no request (default limits).
struct Rejection {
  const char* name;
  std::string raw;
  Error error;
};

// Runs each rejection as a stream case (whole, split, byte by byte, every SIMD level).
void rejections(const std::vector<Rejection>& cases) {
  for (const Rejection& c : cases) stream_case(c.name, c.raw, c.error, 0);
}

#define EXPECT(cond)                                   \
  do {                                                 \
    if (!(cond)) return std::string("expected " #cond); \
  } while (0)

void head_cases() {
  const std::string get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  stream_case("simple GET", get, Error::None, 1, [](auto& v) {
    const OwnedRequest& r = v[0];
    EXPECT(text(r, r.head.method_span) == "GET" && r.head.method == Method::Get);
    EXPECT(text(r, r.head.target) == "/" && r.head.form == TargetForm::Origin);
    EXPECT(r.head.version_minor == 1 && r.head.keep_alive && r.head.body == BodyKind::None);
    EXPECT(text(r, r.head.host) == "a" && r.head.head_length == 27);
    return std::string();
  });
  std::string batch;
  for (int i = 0; i < 24; ++i) batch += get;
  stream_case("24 pipelined GETs", batch, Error::None, 24);
  stream_case("POST with Content-Length then GET",
              "POST /p?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + get, Error::None, 2, [](auto& v) {
                EXPECT(v[0].body == "hello" && v[0].head.body == BodyKind::Length && v[0].head.content_length == 5);
                EXPECT(v[0].head.method == Method::Post && text(v[0], v[0].head.target) == "/p?q=1");
                return std::string();
              });
  stream_case("Content-Length: 0", "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", Error::None, 1,
              [](auto& v) {
                EXPECT(v[0].head.body == BodyKind::Length && v[0].body.empty() && v[0].head.method == Method::Put);
                return std::string();
              });
  stream_case("chunked with extensions and trailers",
              "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              "5;name=val;q=\"a \\\"b\\\"\"\r\nhello\r\n1 ; ext\r\n!\r\n000\r\nX-Sum: 1 \r\nY:2\r\n\r\n" + get,
              Error::None, 2, [](auto& v) {
                EXPECT(v[0].body == "hello!" && v[0].head.body == BodyKind::Chunked);
                EXPECT(v[0].trailers.size() == 2 && v[0].trailers[0].first == "X-Sum" && v[0].trailers[0].second == "1");
                EXPECT(v[0].trailers[1].second == "2");
                return std::string();
              });
  stream_case("HTTP/1.0 closes and ignores the rest", "GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n", Error::None, 1,
              [](auto& v) {
                EXPECT(!v[0].head.keep_alive && v[0].head.version_minor == 0 && v[0].head.host.len == 0);
                return std::string();
              });
  stream_case("HTTP/1.0 keep-alive", "GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n",
              Error::None, 2, [](auto& v) {
                EXPECT(v[0].head.keep_alive && !v[1].head.keep_alive);
                return std::string();
              });
  stream_case("HTTP/1.1 Connection: close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, , close\r\n\r\n" + get,
              Error::None, 1, [](auto& v) {
                EXPECT(!v[0].head.keep_alive);
                return std::string();
              });
  stream_case("Expect: 100-continue",
              "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok", Error::None, 1,
              [](auto& v) {
                EXPECT(v[0].head.expect_continue && v[0].body == "ok");
                return std::string();
              });
  stream_case("Upgrade", "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
              Error::None, 1, [](auto& v) {
                EXPECT(v[0].head.upgrade && v[0].head.keep_alive);
                return std::string();
              });
  stream_case("Upgrade header without the Connection token",
              "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", Error::None, 1, [](auto& v) {
                EXPECT(!v[0].head.upgrade);
                return std::string();
              });
  stream_case("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", Error::None, 1, [](auto& v) {
    EXPECT(v[0].head.form == TargetForm::Asterisk && v[0].head.method == Method::Options);
    return std::string();
  });
  stream_case("CONNECT authority", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", Error::None, 1,
              [](auto& v) {
                EXPECT(v[0].head.form == TargetForm::Authority && v[0].head.method == Method::Connect);
                return std::string();
              });
  stream_case("absolute-form", "GET http://a.example/x?y HTTP/1.1\r\nHost: a.example\r\n\r\n", Error::None, 1,
              [](auto& v) {
                EXPECT(v[0].head.form == TargetForm::Absolute && text(v[0], v[0].head.target) == "http://a.example/x?y");
                return std::string();
              });
  stream_case("value trimming, tabs and obs-text",
              "GET / HTTP/1.1\r\nHost:a\r\nX-A: \t one\ttwo \t\r\nX-B:\r\nX-C: caf\xc3\xa9\r\n\r\n", Error::None, 1,
              [](auto& v) {
                EXPECT(v[0].headers.size() == 4);
                EXPECT(text(v[0], v[0].headers[1].value) == "one\ttwo");
                EXPECT(text(v[0], v[0].headers[2].value).empty());
                EXPECT(text(v[0], v[0].headers[3].value) == "caf\xc3\xa9");
                return std::string();
              });
  stream_case("IPv6 Host", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", Error::None, 1);
  stream_case("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", Error::None, 1);
  stream_case("extension method, case-sensitive", "get / HTTP/1.1\r\nHost: a\r\n\r\n", Error::None, 1, [](auto& v) {
    EXPECT(v[0].head.method == Method::Other && text(v[0], v[0].head.method_span) == "get");
    return std::string();
  });
  stream_case("long browser-like request",
              "GET /assets/app.js?v=1234567890abcdef HTTP/1.1\r\nHost: www.example.com\r\n"
              "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n"
              "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
              "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\n"
              "Cookie: session=abcdefghijklmnopqrstuvwxyz0123456789; theme=dark; tracking=1\r\n"
              "Referer: https://www.example.com/index.html\r\nConnection: keep-alive\r\n\r\n",
              Error::None, 1, [](auto& v) {
                EXPECT(v[0].headers.size() == 8);
                return std::string();
              });

  // rejections: request line
  rejections({
      {"bad method token", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadMethod},
      {"leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadMethod},
      {"leading CRLF", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadMethod},
      {"TLS handshake bytes", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), Error::BadMethod},
      {"two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadRequestLine},
      {"two spaces before version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadRequestLine},
      {"space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", Error::BadRequestLine},
      {"no version", "GET /\r\nHost: a\r\n\r\n", Error::BadRequestLine},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", Error::VersionNotSupported},
  });
  stream_case("HTTP/1.2 is handled as 1.1 (RFC 9110 §2.5)", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", Error::None, 1,
              [](auto& v) {
                EXPECT(v[0].head.version_minor == 1 && v[0].head.keep_alive);
                return std::string();
              });
  stream_case("HTTP/1.9 is handled as 1.1", "GET / HTTP/1.9\r\nHost: a\r\n\r\n", Error::None, 1);
  rejections({
      {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", Error::VersionNotSupported},
      {"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", Error::BadVersion},
      {"HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", Error::BadVersion},
      {"HTTP/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", Error::BadVersion},
      {"NUL in target", std::string("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 30), Error::BadTarget},
      {"DEL in target", "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadTarget},
      {"fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadTarget},
      {"non-ASCII in target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadTarget},
      {"asterisk with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadTarget},
      {"CONNECT origin-form", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadTarget},
      {"CONNECT without port", "CONNECT a.example HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadTarget},
      {"relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", Error::BadTarget},
      {"bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", Error::BareLineFeed},
      {"bare LF after header", "GET / HTTP/1.1\r\nHost: a\n\r\n", Error::BareLineFeed},
      {"bare LF end of head", "GET / HTTP/1.1\r\nHost: a\r\n\n", Error::BareLineFeed},
      {"bare CR in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", Error::BareCarriageReturn},
      {"bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", Error::BareCarriageReturn},
      // rejections: header lines
      {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", Error::ObsFold},
      {"whitespace before first header", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", Error::LeadingWhitespace},
      {"whitespace before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", Error::WhitespaceBeforeColon},
      {"empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", Error::BadHeaderName},
      {"header without colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", Error::BadHeaderName},
      {"NUL in header name", std::string("GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n", 29), Error::BadHeaderName},
      {"NUL in header value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: \0\r\n\r\n", 33), Error::BadHeaderValue},
      {"DEL in header value", "GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n", Error::BadHeaderValue},
      {"missing Host", "GET / HTTP/1.1\r\n\r\n", Error::MissingHost},
      {"duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", Error::DuplicateHost},
      {"Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", Error::BadHost},
      {"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", Error::BadHost},
      {"Host with bad pct-encoding", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", Error::BadHost},
      {"bad Connection token", "GET / HTTP/1.1\r\nHost: a\r\nConnection: a b\r\n\r\n", Error::BadConnection},
  });
  // framing
  rejections({
      {"duplicate identical Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
       Error::DuplicateContentLength},
      {"Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx", Error::BadContentLength},
      {"signed Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\nx", Error::BadContentLength},
      {"empty Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", Error::BadContentLength},
      {"overflowing Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n",
       Error::BadContentLength},
      {"CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       Error::ContentLengthWithTransferEncoding},
      {"TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       Error::TransferEncodingOnHttp10},
      {"TE gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", Error::UnknownTransferCoding},
      {"TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
       Error::UnknownTransferCoding},
      {"TE chunked, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
       Error::BadTransferEncoding},
      {"TE chunked twice in two lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       Error::BadTransferEncoding},
      {"TE empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", Error::BadTransferEncoding},
      {"TE bad token", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n",
       Error::BadTransferEncoding},
      {"TE chunked with parameter", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n",
       Error::BadTransferEncoding},
  });
  stream_case("TE mixed case and split lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\nTransfer-Encoding: ChUnKeD\r\n\r\n0\r\n\r\n",
              Error::None, 1);
  // chunked body errors
  const std::string post = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  rejections({
      {"chunk size not hex", post + "g\r\n", Error::BadChunkSize},
      {"chunk size missing", post + "\r\n", Error::BadChunkSize},
      {"chunk size overflow", post + "10000000000000000\r\n", Error::BadChunkSize},
      {"chunk size bare LF", post + "1\nx\r\n0\r\n\r\n", Error::BareLineFeed},
      {"chunk size bare CR", post + "1\rx\r\n0\r\n\r\n", Error::BareCarriageReturn},
      {"chunk size then space", post + "1 \r\nx\r\n0\r\n\r\n", Error::BadChunkExtension},
      {"chunk ext without name", post + "1;\r\nx\r\n0\r\n\r\n", Error::BadChunkExtension},
      {"chunk ext bad value", post + "1;a=\r\nx\r\n0\r\n\r\n", Error::BadChunkExtension},
      {"chunk ext unterminated quote", post + "1;a=\"x\r\nx\r\n0\r\n\r\n", Error::BadChunkExtension},
      {"chunk data too long", post + "1\r\nxy\r\n0\r\n\r\n", Error::BadChunkData},
      {"chunk data missing CRLF", post + "1\r\nx0\r\n\r\n", Error::BadChunkData},
      {"trailer obs-fold", post + "0\r\nA: b\r\n c\r\n\r\n", Error::BadTrailer},
      {"trailer bare LF", post + "0\r\nA: b\n\r\n", Error::BadTrailer},
      {"trailer space before colon", post + "0\r\nA : b\r\n\r\n", Error::BadTrailer},
      {"trailer NUL", post + std::string("0\r\nA: \0\r\n\r\n", 11), Error::BadTrailer},
  });

  // limits
  Limits small;
  small.max_head_bytes = 64;
  small.max_headers = 3;
  small.max_body = 10;
  stream_case("target too long (414)", "GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n",
              Error::TargetTooLong, 0, nullptr, small);
  stream_case("head too large (431)", "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(60, 'b') + "\r\n\r\n",
              Error::HeadTooLarge, 0, nullptr, small);
  stream_case("head exactly at the limit", "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(32, 'b') + "\r\n\r\n",
              Error::None, 1, nullptr, small);
  stream_case("head one byte over", "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(33, 'b') + "\r\n\r\n",
              Error::HeadTooLarge, 0, nullptr, small);
  stream_case("too many headers", "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", Error::TooManyHeaders, 0,
              nullptr, small);
  stream_case("Content-Length over max body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n",
              Error::BodyTooLarge, 0, nullptr, small);
  stream_case("Content-Length at max body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789",
              Error::None, 1, nullptr, small);
  stream_case("chunked over max body", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n",
              Error::BodyTooLarge, 0, nullptr, small);
  stream_case("trailers too large", "POST / HTTP/1.1\r\nHost:\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: " +
                                        std::string(70, 'x') + "\r\n\r\n",
              Error::HeadTooLarge, 0, nullptr, small);
  stream_case("too many trailers", "POST / HTTP/1.1\r\nHost:\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA:1\r\nB:2\r\nC:3\r\nD:4\r\n\r\n",
              Error::TooManyHeaders, 0, nullptr, small);
}

// The parser resumes its end-of-head search and never reports errors from bytes it has not seen.
void resumability() {
  const std::string req = "GET /x HTTP/1.1\r\nHost: a\r\nX-Long: " + std::string(200, 'v') + "\r\n\r\n";
  HeadParser hp;
  RequestHead h;
  Header hs[8];
  std::string problem;
  int64_t r = 0;
  for (size_t n = 1; n <= req.size(); ++n) {
    r = hp.parse(reinterpret_cast<const uint8_t*>(req.data()), n, h, hs, 8);
    if (n < req.size() && r != kIncomplete) problem = "not incomplete at " + std::to_string(n);
    if (n < req.size() && hp.scan_position() + 1 < n)
      problem = "search did not resume at the end (" + std::to_string(hp.scan_position()) + " vs " + std::to_string(n) + ")";
  }
  if (problem.empty() && r != static_cast<int64_t>(req.size())) problem = "final result " + std::to_string(r);
  if (problem.empty() && (h.num_headers != 2 || hs[1].value.len != 200)) problem = "wrong headers";
  // After success, without reset: the same head again (and nothing read out of bounds).
  if (problem.empty() && (hp.parse(reinterpret_cast<const uint8_t*>(req.data()), req.size(), h, hs, 8) != int64_t(req.size()) ||
                          h.num_headers != 2 || hs[1].value.len != 200))
    problem = "second call after success differs";
  // After success: reset and reuse.
  hp.reset();
  if (problem.empty() && hp.parse(reinterpret_cast<const uint8_t*>(req.data()), req.size(), h, hs, 8) != int64_t(req.size()))
    problem = "reuse after reset failed";
  // A failure is sticky until reset.
  hp.reset();
  const std::string bad = "GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n";
  if (problem.empty() && hp.parse(reinterpret_cast<const uint8_t*>(bad.data()), bad.size(), h, hs, 8) != kFailed)
    problem = "bad head not rejected";
  if (problem.empty() && hp.parse(reinterpret_cast<const uint8_t*>(req.data()), req.size(), h, hs, 8) != kFailed)
    problem = "failure not sticky";
  // The buffer may move between calls: results are offsets.
  hp.reset();
  std::string a = req.substr(0, 20);
  hp.parse(reinterpret_cast<const uint8_t*>(a.data()), a.size(), h, hs, 8);
  std::string b = req;  // a different allocation
  if (problem.empty() && hp.parse(reinterpret_cast<const uint8_t*>(b.data()), b.size(), h, hs, 8) != int64_t(req.size()))
    problem = "moved buffer failed";
  // The header array may be scratch shared with other parses between calls: spans come out right.
  {
    HeadParser sp;
    RequestHead sh;
    Header scratch[8];
    const std::string two = "POST /u HTTP/1.1\r\nHost:  h \r\nA: 1\r\nContent-Length: 0\r\n\r\n";
    for (size_t cut = 1; cut < two.size() && problem.empty(); ++cut) {
      sp.reset();
      sp.parse(reinterpret_cast<const uint8_t*>(two.data()), cut, sh, scratch, 8);
      for (auto& x : scratch) x = Header{{999, 999}, {999, 999}};  // another connection used it
      int64_t got = sp.parse(reinterpret_cast<const uint8_t*>(two.data()), two.size(), sh, scratch, 8);
      std::string b = two;
      auto t = [&](Span s2) { return testing::span_text(b, s2); };
      if (got != int64_t(two.size()) || sh.num_headers != 3 || t(scratch[0].name) != "Host" || t(scratch[0].value) != "h" ||
          t(scratch[1].value) != "1" || t(scratch[2].name) != "Content-Length" || t(scratch[2].value) != "0")
        problem = "header spans wrong after a split at " + std::to_string(cut);
    }
    // A caller that passes fewer bytes than before gets kIncomplete, nothing is read.
    sp.reset();
    sp.parse(reinterpret_cast<const uint8_t*>(two.data()), 30, sh, scratch, 8);
    if (problem.empty() && sp.parse(reinterpret_cast<const uint8_t*>(two.data()), 10, sh, scratch, 8) != kIncomplete)
      problem = "shrunk buffer not handled";
  }
  report("head parser resumes, resets and stays failed", problem);

  // 414 is decided while the request line is still incomplete (no end of head needed).
  Limits small;
  small.max_head_bytes = 32;
  HeadParser lim(small);
  std::string longline = "GET /" + std::string(40, 'a');
  int64_t lr = lim.parse(reinterpret_cast<const uint8_t*>(longline.data()), longline.size(), h, hs, 8);
  report("414 while incomplete", lr == kFailed && lim.error() == Error::TargetTooLong ? "" : "no early 414");
}

// Chunked decoder: zero-copy data views, not consuming past the end, incomplete trailer lines.
void chunked_api() {
  std::string problem;
  const std::string body = "3\r\nabc\r\n0\r\nT: v\r\n\r\nNEXT";
  ChunkedDecoder d;
  std::string got;
  const uint8_t* base = reinterpret_cast<const uint8_t*>(body.data());
  bool inside = true;
  int64_t used = d.decode(base, body.size(), [&](const uint8_t* p, size_t n) {
    if (p < base || p + n > base + body.size()) inside = false;
    got.append(reinterpret_cast<const char*>(p), n);
  });
  if (!(used == static_cast<int64_t>(body.size() - 4) && d.done() && got == "abc" && inside)) problem = "whole body";
  // An incomplete trailer line is not consumed.
  ChunkedDecoder e;
  const std::string part = "0\r\nTrailer: par";
  int64_t u1 = e.decode(reinterpret_cast<const uint8_t*>(part.data()), part.size(), [](const uint8_t*, size_t) {});
  if (problem.empty() && u1 != 3) problem = "consumed a partial trailer line: " + std::to_string(u1);
  const std::string rest = "Trailer: partial\r\n\r\n";
  int ntr = 0;
  int64_t u2 = e.decode(reinterpret_cast<const uint8_t*>(rest.data()), rest.size(), [](const uint8_t*, size_t) {},
                        [&](const uint8_t*, size_t nl, const uint8_t*, size_t vl) { ntr += (nl == 7 && vl == 7); });
  if (problem.empty() && !(u2 == static_cast<int64_t>(rest.size()) && e.done() && ntr == 1)) problem = "trailer resume";
  report("chunked decoder contract", problem);
}

// The framer as the server drives it: hooks, a pause at a request boundary (backpressure), the
// chunked body decoded in place (the buffer shrinks), empty lines skipped or not.
struct RecordingHost {
  std::vector<std::string> seen;  // "head|body" of each request
  int starts = 0, bodies = 0, errors = 0, allow = 1 << 30;
  bool may_start() { return allow-- > 0; }
  void on_head_start() { ++starts; }
  bool on_body_start(const RequestHead&, size_t) { return ++bodies > 0; }
  void on_trailer(const uint8_t*, size_t, const uint8_t*, size_t) {}
  bool on_request(const char* msg, const RequestHead&, size_t hl, const Header*, const char* body, size_t bl) {
    seen.push_back(std::string(msg, hl) + "|" + std::string(body ? body : "", bl));
    return true;
  }
  void on_error(Error) { ++errors; }
};

void framer_cases() {
  std::string problem;
  const std::string get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string chunked = "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  {
    // chunked body split mid-chunk: the decoded prefix stays, the framing bytes are given back
    std::string buf = chunked + "3\r\nabc\r\n4\r\nde";
    size_t n = buf.size();
    Framer f;
    RecordingHost host;
    Header hs[101];
    size_t used = f.frame(&buf[0], n, host, hs, 101);
    if (used != 0 || f.phase() != Framer::Phase::Chunked || n != chunked.size() + 5 ||
        buf.compare(chunked.size(), 5, "abcde") != 0 || host.bodies != 1)
      problem = "partial chunked body: used " + std::to_string(used) + " n " + std::to_string(n);
    buf.resize(n);
    buf += "fg\r\n0\r\n\r\n" + get + get;
    n = buf.size();
    host.allow = 1;  // the second GET waits (backpressure) at its request boundary
    used = f.frame(&buf[0], n, host, hs, 101);
    if (problem.empty() && !(host.seen.size() == 2 && host.seen[0] == chunked + "|abcdefg" &&
                             host.seen[1] == get + "|" && used == n - get.size() && f.phase() == Framer::Phase::Idle))
      problem = "chunked then paused: " + std::to_string(host.seen.size()) + " requests, used " + std::to_string(used);
    host.allow = 1;
    size_t rest = n - used;
    used = f.frame(&buf[0] + used, rest, host, hs, 101);
    if (problem.empty() && !(host.seen.size() == 3 && used == get.size())) problem = "resume after the pause";
  }
  {
    // empty lines before a request: skipped by the server's setting, an error otherwise
    const std::string raw = "\r\n\n\r\n" + get;
    for (bool skip : {true, false}) {
      std::string buf = raw;
      size_t n = buf.size();
      Framer f(Limits{}, skip);
      RecordingHost host;
      Header hs[101];
      f.frame(&buf[0], n, host, hs, 101);
      if (problem.empty() && (host.seen.size() != (skip ? 1u : 0u) || host.errors != (skip ? 0 : 1) || f.done() == skip))
        problem = std::string("empty lines, skip=") + (skip ? "true" : "false");
    }
    const std::string ref = testing::run_split(raw + get, {}, Limits{}, true);
    for (size_t k = 1; k < raw.size() + get.size() && problem.empty(); ++k)
      if (testing::run_split(raw + get, {k}, Limits{}, true) != ref) problem = "empty lines: split at " + std::to_string(k);
  }
  {
    // not keep-alive: the framer is done, the rest is dropped (returns n)
    std::string buf = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + get;
    size_t n = buf.size();
    Framer f;
    RecordingHost host;
    Header hs[101];
    size_t used = f.frame(&buf[0], n, host, hs, 101);
    if (problem.empty() && !(used == n && f.done() && host.seen.size() == 1 && f.error() == Error::None))
      problem = "Connection: close";
  }
  report("framer contract (hooks, pause, in-place chunked, empty lines, close)", problem);
}

// The three scan implementations agree with each other at every length and alignment.
void simd_agreement() {
  std::mt19937 rng(12345);
  std::string problem;
  std::vector<uint8_t> buf(300);
  for (int round = 0; round < 2000 && problem.empty(); ++round) {
    const bool sparse = round % 2 == 0;
    for (auto& b : buf) {
      b = static_cast<uint8_t>(sparse ? 'a' + rng() % 26 : rng() % 256);
      if (sparse && rng() % 97 == 0) b = static_cast<uint8_t>(rng() % 256);
    }
    size_t off = rng() % 40, len = rng() % (buf.size() - off);
    size_t ref[3];
    for (int f = 0; f < 3; ++f) {
      size_t res[3];
      for (int lv = 0; lv < 3; ++lv) {
        set_simd_level(static_cast<SimdLevel>(lv));
        res[lv] = f == 0 ? scan_target(buf.data() + off, len) : f == 1 ? scan_value(buf.data() + off, len)
                                                                      : scan_lf(buf.data() + off, len);
      }
      ref[f] = res[0];
      if (res[0] != res[1] || res[0] != res[2]) problem = "scan " + std::to_string(f) + " disagrees";
    }
    (void)ref;
  }
  set_simd_level(SimdLevel::Avx2);
  report("SIMD scans agree with scalar", problem);
  report("SIMD level detection", simd_level() == simd_supported() ? "" : "level not the supported maximum");
}

std::string unhex(const std::string& h) {
  std::string o;
  for (size_t i = 0; i + 1 < h.size(); i += 2) o += static_cast<char>(std::strtol(h.substr(i, 2).c_str(), nullptr, 16));
  return o;
}

void corpus(const char* path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t at = 0;
    for (size_t tab; (tab = line.find('\t', at)) != std::string::npos; at = tab + 1) f.push_back(line.substr(at, tab - at));
    f.push_back(line.substr(at));
    if (f.size() != 7) continue;
    Limits limits;
    limits.max_head_bytes = static_cast<uint32_t>(std::stoul(f[3]));
    limits.max_headers = static_cast<uint32_t>(std::stoul(f[4]));
    limits.max_body = std::stoull(f[5]);
    const std::string raw = unhex(f[6]);
    write_seed(raw, false);
    Run r = run_whole(raw, limits);
    std::string problem;
    const std::string& want = f[1];
    const bool err_ok = want == "*" ? r.err != Error::None : want == "-" ? r.err == Error::None : want == name_of(r.err);
    if (!err_ok) problem = std::string("error ") + name_of(r.err) + ", want " + want;
    else if (std::to_string(r.reqs.size()) != f[2]) problem = std::to_string(r.reqs.size()) + " requests, want " + f[2];
    if (problem.empty()) problem = consistency(raw, limits);
    report("corpus: " + f[0], problem);
    ++n;
  }
  if (n == 0) report("corpus file has cases", "no cases read");
}

}  // namespace

int main(int argc, char** argv) {
  int a = 1;
  if (argc > 2 && std::strcmp(argv[1], "--seeds") == 0) {
    g_seed_dir = argv[2];
    a = 3;
  }
  head_cases();
  resumability();
  chunked_api();
  framer_cases();
  simd_agreement();
  if (argc > a) corpus(argv[a]);
  return jato::unit::finish();
}
