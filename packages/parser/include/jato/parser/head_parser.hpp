// jato/parser/head_parser.hpp — resumable, allocation-free parser of one HTTP/1.1 request head.
//
// Contract:
//   HeadParser hp(limits);
//   int64_t r = hp.parse(buf, len, head, headers, cap);
// `buf[0, len)` holds every byte of this request head received so far; each call passes the same
// prefix again with more bytes appended (the buffer may move: results are offsets). Returns the head
// length (> 0) once the request line, the header lines and the empty line are complete; kIncomplete
// when more bytes are needed; kFailed when the head is invalid (then error() says why, and
// status_of(error()) is the status to answer before closing). After kFailed every call returns
// kFailed; after success call reset() before the next request.
//   - Not rescanning: a first call parses directly (the usual case: the whole head is there). If it
//     was incomplete, later calls only search the new bytes for the end of the head (or a bare LF),
//     and the head is parsed once when that end arrives. Errors in complete lines surface early.
//   - Deterministic: errors are decided left to right by the first offending byte, so the result
//     does not depend on how the bytes were split across calls.
//   - Limits: the head (request line through the final CRLF) may use at most max_head_bytes; past
//     that the answer is TargetTooLong (414) while the request line is unfinished, else HeadTooLarge
//     (431). Header lines beyond min(cap, max_headers) are TooManyHeaders (431). A Content-Length
//     above max_body is BodyTooLarge (413).
//   - `head` and `headers[0, cap)` are written only by the call that returns the head length.
//   - Never allocates, never throws, reads only buf[0, len).
// Strictness (RFC 9112, reject where repairing is allowed): see README "C++ API" for the rule list.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "jato/parser/chars.hpp"
#include "jato/parser/scan.hpp"
#include "jato/parser/types.hpp"

namespace jato::http {

class HeadParser {
 public:
  explicit HeadParser(const Limits& limits = Limits{}) noexcept : limits_(limits) {}

  /** Forget the current head (call before parsing the next request). Keeps the limits. */
  void reset() noexcept {
    error_ = Error::None;
    started_ = false;
    scan_pos_ = 0;
    line_start_ = 0;
  }

  /** Why the last call returned kFailed (Error::None otherwise). */
  Error error() const noexcept { return error_; }
  const Limits& limits() const noexcept { return limits_; }
  void set_limits(const Limits& limits) noexcept { limits_ = limits; }

  /** See the file comment. */
  int64_t parse(const uint8_t* buf, size_t len, RequestHead& out, Header* headers, uint32_t cap) noexcept {
    if (error_ != Error::None) return kFailed;
    const size_t max_head = limits_.max_head_bytes;
    const size_t window = len < max_head ? len : max_head;
    if (!started_) {
      started_ = true;
      return decide(buf, window, out, headers, cap, /*first=*/true);
    }
    // Resume the end-of-head search where it stopped.
    while (scan_pos_ < window) {
      size_t lf = scan_pos_ + scan_lf(buf + scan_pos_, window - scan_pos_);
      if (lf >= window) {
        scan_pos_ = static_cast<uint32_t>(window);
        break;
      }
      bool bare = lf == 0 || buf[lf - 1] != '\r';
      bool empty = !bare && lf - 1 == line_start_;
      scan_pos_ = line_start_ = static_cast<uint32_t>(lf + 1);
      if (bare || empty) return decide(buf, window, out, headers, cap, false);
    }
    if (window >= max_head) return decide(buf, window, out, headers, cap, false);
    return kIncomplete;
  }

 private:
  enum class Step : uint8_t { Done, Incomplete, Failed };

  // Per-head framing facts gathered while walking the header lines.
  struct Facts {
    uint32_t host_count = 0;
    bool cl_seen = false;
    bool te_seen = false;
    bool te_other = false;       // a coding other than chunked
    bool te_last_chunked = false;
    uint32_t te_chunked = 0;     // how many times chunked appears
    uint32_t te_codings = 0;
    bool conn_close = false, conn_keep_alive = false, conn_upgrade = false;
    bool upgrade_header = false;
  };

  int64_t decide(const uint8_t* buf, size_t window, RequestHead& out, Header* headers, uint32_t cap,
                 bool first) noexcept {
    uint32_t progress = 0;
    bool line1 = false;
    Step s = parse_all(buf, window, out, headers, cap, progress, line1);
    if (s == Step::Done) return out.head_length;
    if (s == Step::Failed) return kFailed;
    if (window >= limits_.max_head_bytes) {
      fail_step(line1 ? Error::HeadTooLarge : Error::TargetTooLong);
      return kFailed;
    }
    if (first) scan_pos_ = line_start_ = progress;
    return kIncomplete;
  }

  Step fail_step(Error e) noexcept {
    error_ = e;
    return Step::Failed;
  }

  static Method classify(const uint8_t* m, size_t n) noexcept {
    auto is = [&](const char* s, size_t l) { return n == l && std::memcmp(m, s, l) == 0; };
    switch (n) {
      case 3: return is("GET", 3) ? Method::Get : is("PUT", 3) ? Method::Put : Method::Other;
      case 4: return is("POST", 4) ? Method::Post : is("HEAD", 4) ? Method::Head : Method::Other;
      case 5: return is("PATCH", 5) ? Method::Patch : is("TRACE", 5) ? Method::Trace : Method::Other;
      case 6: return is("DELETE", 6) ? Method::Delete : Method::Other;
      case 7: return is("OPTIONS", 7) ? Method::Options : is("CONNECT", 7) ? Method::Connect : Method::Other;
      default: return Method::Other;
    }
  }

  // uri-host [ ":" port ] (RFC 9112 §3.2.3, RFC 3986 §3.2.2): an IP-literal in brackets or a
  // non-empty reg-name with well-formed pct-encoding; port is *DIGIT (1*DIGIT when required).
  // An empty value is a valid Host (RFC 9112 §3.2) but not a valid CONNECT authority.
  static bool valid_host(const uint8_t* s, size_t n, bool require_port) noexcept {
    if (n == 0) return !require_port;
    size_t i = 0;
    if (s[0] == '[') {
      i = 1;
      while (i < n && chars::kIpLiteral[s[i]]) ++i;
      if (i == 1 || i >= n || s[i] != ']') return false;
      ++i;
    } else {
      while (i < n && chars::kRegName[s[i]]) {
        if (s[i] == '%') {
          if (i + 2 >= n || chars::hex_value(s[i + 1]) < 0 || chars::hex_value(s[i + 2]) < 0) return false;
          i += 3;
          continue;
        }
        ++i;
      }
      if (i == 0) return false;
    }
    if (i == n) return !require_port;
    if (s[i] != ':') return false;
    const size_t port = ++i;
    for (; i < n; ++i)
      if (!chars::is_digit(s[i])) return false;
    return !(require_port && i == port);
  }

  // absolute-form: scheme ":" followed by at least one byte; scheme = ALPHA *(ALPHA / DIGIT / + - .)
  static bool valid_absolute(const uint8_t* t, size_t n) noexcept {
    if (n == 0 || !chars::is_alpha(t[0])) return false;
    for (size_t i = 1; i < n; ++i) {
      uint8_t c = t[i];
      if (c == ':') return i + 1 < n;
      if (!chars::is_alpha(c) && !chars::is_digit(c) && c != '+' && c != '-' && c != '.') return false;
    }
    return false;
  }

  static Error classify_target(Method m, const uint8_t* t, size_t n, TargetForm& form) noexcept {
    if (m == Method::Connect) {
      form = TargetForm::Authority;
      return valid_host(t, n, true) ? Error::None : Error::BadTarget;
    }
    if (t[0] == '/') {
      form = TargetForm::Origin;
      return Error::None;
    }
    if (n == 1 && t[0] == '*') {
      form = TargetForm::Asterisk;
      return m == Method::Options ? Error::None : Error::BadTarget;
    }
    form = TargetForm::Absolute;
    return valid_absolute(t, n) ? Error::None : Error::BadTarget;
  }

  // Connection: 1#token, empty elements ignored (RFC 9110 §5.6.1).
  static Error on_connection(const uint8_t* v, size_t n, Facts& f) noexcept {
    size_t i = 0;
    while (i < n) {
      while (i < n && (chars::is_ows(v[i]) || v[i] == ',')) ++i;
      size_t s = i;
      while (i < n && chars::is_tchar(v[i])) ++i;
      size_t e = i;
      while (i < n && chars::is_ows(v[i])) ++i;
      if (i < n && v[i] != ',') return Error::BadConnection;
      if (e == s) continue;
      if (chars::ieq(v + s, e - s, "close", 5)) f.conn_close = true;
      else if (chars::ieq(v + s, e - s, "keep-alive", 10)) f.conn_keep_alive = true;
      else if (chars::ieq(v + s, e - s, "upgrade", 7)) f.conn_upgrade = true;
    }
    return Error::None;
  }

  // Transfer-Encoding: #transfer-coding; transfer-coding = token *( OWS ";" OWS token "=" (token / quoted-string) ).
  static Error on_transfer_encoding(const uint8_t* v, size_t n, Facts& f) noexcept {
    f.te_seen = true;
    size_t i = 0;
    while (i < n) {
      while (i < n && (chars::is_ows(v[i]) || v[i] == ',')) ++i;
      if (i >= n) break;
      size_t s = i;
      while (i < n && chars::is_tchar(v[i])) ++i;
      size_t e = i;
      if (e == s) return Error::BadTransferEncoding;
      bool params = false;
      while (i < n && v[i] != ',') {
        while (i < n && chars::is_ows(v[i])) ++i;
        if (i >= n || v[i] == ',') break;
        if (v[i] != ';') return Error::BadTransferEncoding;
        params = true;
        ++i;
        while (i < n && chars::is_ows(v[i])) ++i;
        size_t ps = i;
        while (i < n && chars::is_tchar(v[i])) ++i;
        if (i == ps) return Error::BadTransferEncoding;
        while (i < n && chars::is_ows(v[i])) ++i;
        if (i >= n || v[i] != '=') return Error::BadTransferEncoding;
        ++i;
        while (i < n && chars::is_ows(v[i])) ++i;
        if (i < n && v[i] == '"') {
          ++i;
          bool closed = false;
          while (i < n) {
            uint8_t c = v[i++];
            if (c == '"') { closed = true; break; }
            if (c == '\\') {
              if (i >= n) return Error::BadTransferEncoding;
              ++i;
            } else if (!chars::kQdtext[c]) {
              return Error::BadTransferEncoding;
            }
          }
          if (!closed) return Error::BadTransferEncoding;
        } else {
          size_t vs = i;
          while (i < n && chars::is_tchar(v[i])) ++i;
          if (i == vs) return Error::BadTransferEncoding;
        }
      }
      ++f.te_codings;
      if (chars::ieq(v + s, e - s, "chunked", 7)) {
        if (params) return Error::BadTransferEncoding;
        ++f.te_chunked;
        f.te_last_chunked = true;
      } else {
        f.te_other = true;
        f.te_last_chunked = false;
      }
    }
    return Error::None;
  }

  static Error on_content_length(const uint8_t* v, size_t n, Facts& f, RequestHead& h) noexcept {
    if (f.cl_seen) return Error::DuplicateContentLength;
    f.cl_seen = true;
    if (n == 0) return Error::BadContentLength;
    uint64_t x = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!chars::is_digit(v[i])) return Error::BadContentLength;
      uint64_t d = static_cast<uint64_t>(v[i] - '0');
      if (x > (UINT64_MAX - d) / 10) return Error::BadContentLength;
      x = x * 10 + d;
    }
    h.content_length = x;
    return Error::None;
  }

  static Error on_header(const uint8_t* buf, const uint8_t* name, size_t nl, const uint8_t* v, size_t vl,
                         Facts& f, RequestHead& h) noexcept {
    switch (nl) {
      case 4:
        if (chars::ieq(name, nl, "host", 4)) {
          if (++f.host_count > 1) return Error::DuplicateHost;
          if (!valid_host(v, vl, false)) return Error::BadHost;
          h.host = {static_cast<uint32_t>(v - buf), static_cast<uint32_t>(vl)};
        }
        break;
      case 6:
        if (chars::ieq(name, nl, "expect", 6) && chars::ieq(v, vl, "100-continue", 12)) h.expect_continue = true;
        break;
      case 7:
        if (chars::ieq(name, nl, "upgrade", 7)) f.upgrade_header = true;
        break;
      case 10:
        if (chars::ieq(name, nl, "connection", 10)) return on_connection(v, vl, f);
        break;
      case 14:
        if (chars::ieq(name, nl, "content-length", 14)) return on_content_length(v, vl, f, h);
        break;
      case 17:
        if (chars::ieq(name, nl, "transfer-encoding", 17)) return on_transfer_encoding(v, vl, f);
        break;
      default: break;
    }
    return Error::None;
  }

  // Checks that need the whole header section, in a fixed order.
  Error finish(Facts& f, RequestHead& h) const noexcept {
    if (f.te_seen) {
      if (h.version_minor == 0) return Error::TransferEncodingOnHttp10;
      if (f.cl_seen) return Error::ContentLengthWithTransferEncoding;
      if (f.te_codings == 0) return Error::BadTransferEncoding;
      if (f.te_other) return Error::UnknownTransferCoding;
      if (f.te_chunked != 1 || !f.te_last_chunked) return Error::BadTransferEncoding;
      h.body = BodyKind::Chunked;
    } else if (f.cl_seen) {
      h.body = BodyKind::Length;
    }
    if (h.version_minor == 1 && f.host_count == 0) return Error::MissingHost;
    if (h.body == BodyKind::Length && h.content_length > limits_.max_body) return Error::BodyTooLarge;
    h.keep_alive = h.version_minor == 1 ? !f.conn_close : (f.conn_keep_alive && !f.conn_close);
    h.upgrade = f.conn_upgrade && f.upgrade_header;
    return Error::None;
  }

  // Parses buf[0, n) left to right. Incomplete: `progress` is the start of the unfinished line
  // (every line before it is valid) and `line1` tells whether the request line is complete.
  Step parse_all(const uint8_t* buf, size_t n, RequestHead& out, Header* hs, uint32_t cap, uint32_t& progress,
                 bool& line1) noexcept {
    const uint8_t* p = buf;
    const uint8_t* const e = buf + n;
    RequestHead h;
    auto off = [buf](const uint8_t* q) { return static_cast<uint32_t>(q - buf); };

    // method SP
    while (p < e && chars::is_tchar(*p)) ++p;
    if (p == e) return Step::Incomplete;
    if (p == buf || *p != ' ') return fail_step(Error::BadMethod);
    h.method_span = {0, off(p)};
    h.method = classify(buf, static_cast<size_t>(p - buf));
    ++p;

    // request-target SP
    if (p == e) return Step::Incomplete;
    if (*p == ' ') return fail_step(Error::BadRequestLine);
    const uint8_t* t = p;
    p += scan_target(p, static_cast<size_t>(e - p));
    if (p == e) return Step::Incomplete;
    if (*p != ' ') {
      if (*p == '\r') {
        if (p + 1 == e) return Step::Incomplete;
        return fail_step(p[1] == '\n' ? Error::BadRequestLine : Error::BareCarriageReturn);
      }
      return fail_step(*p == '\n' ? Error::BareLineFeed : Error::BadTarget);
    }
    if (p == t) return fail_step(Error::BadTarget);
    h.target = {off(t), off(p) - off(t)};
    if (Error err = classify_target(h.method, t, static_cast<size_t>(p - t), h.form); err != Error::None)
      return fail_step(err);
    ++p;

    // HTTP-version CRLF
    static constexpr char kName[] = "HTTP/";
    for (int i = 0; i < 5; ++i, ++p) {
      if (p == e) return Step::Incomplete;
      if (*p != static_cast<uint8_t>(kName[i]))
        return fail_step(i == 0 && *p == ' ' ? Error::BadRequestLine : Error::BadVersion);
    }
    for (int i = 0; i < 3; ++i) {
      if (p + i == e) return Step::Incomplete;
      bool ok = i == 1 ? p[i] == '.' : chars::is_digit(p[i]);
      if (!ok) return fail_step(Error::BadVersion);
    }
    const uint8_t major = p[0], minor = p[2];
    p += 3;
    if (p == e) return Step::Incomplete;
    if (*p == '\r') {
      if (p + 1 == e) return Step::Incomplete;
      if (p[1] != '\n') return fail_step(Error::BareCarriageReturn);
    } else {
      return fail_step(*p == '\n' ? Error::BareLineFeed : *p == ' ' ? Error::BadRequestLine : Error::BadVersion);
    }
    if (major != '1' || (minor != '0' && minor != '1')) return fail_step(Error::VersionNotSupported);
    h.version_minor = static_cast<uint8_t>(minor - '0');
    p += 2;
    line1 = true;
    progress = off(p);

    // header lines, then CRLF
    const uint32_t limit = cap < limits_.max_headers ? cap : limits_.max_headers;
    uint32_t count = 0;
    Facts f;
    for (;;) {
      if (p == e) return Step::Incomplete;
      const uint8_t c = *p;
      if (c == '\r') {
        if (p + 1 == e) return Step::Incomplete;
        if (p[1] != '\n') return fail_step(Error::BareCarriageReturn);
        p += 2;
        break;
      }
      if (c == '\n') return fail_step(Error::BareLineFeed);
      if (chars::is_ows(c)) return fail_step(count == 0 ? Error::LeadingWhitespace : Error::ObsFold);
      if (count >= limit) return fail_step(Error::TooManyHeaders);
      const uint8_t* name = p;
      while (p < e && chars::is_tchar(*p)) ++p;
      if (p == e) return Step::Incomplete;
      if (*p != ':')
        return fail_step(p != name && chars::is_ows(*p) ? Error::WhitespaceBeforeColon : Error::BadHeaderName);
      if (p == name) return fail_step(Error::BadHeaderName);
      const uint8_t* name_end = p;
      ++p;
      while (p < e && chars::is_ows(*p)) ++p;
      if (p == e) return Step::Incomplete;
      const uint8_t* v = p;
      p += scan_value(p, static_cast<size_t>(e - p));
      if (p == e) return Step::Incomplete;
      if (*p == '\r') {
        if (p + 1 == e) return Step::Incomplete;
        if (p[1] != '\n') return fail_step(Error::BareCarriageReturn);
      } else {
        return fail_step(*p == '\n' ? Error::BareLineFeed : Error::BadHeaderValue);
      }
      const uint8_t* ve = p;
      while (ve > v && chars::is_ows(ve[-1])) --ve;
      p += 2;
      hs[count] = Header{{off(name), off(name_end) - off(name)}, {off(v), off(ve) - off(v)}};
      ++count;
      if (Error err = on_header(buf, name, static_cast<size_t>(name_end - name), v, static_cast<size_t>(ve - v), f, h);
          err != Error::None)
        return fail_step(err);
      progress = off(p);
    }
    if (Error err = finish(f, h); err != Error::None) return fail_step(err);
    h.num_headers = count;
    h.head_length = off(p);
    out = h;
    return Step::Done;
  }

  Limits limits_;
  Error error_ = Error::None;
  bool started_ = false;     // the first (direct) parse attempt was made
  uint32_t scan_pos_ = 0;    // next byte the end-of-head search reads
  uint32_t line_start_ = 0;  // start of the line that search is in
};

}  // namespace jato::http
