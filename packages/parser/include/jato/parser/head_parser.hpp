// jato/parser/head_parser.hpp — resumable, allocation-free parser of one HTTP/1.1 request head.
//
// Contract:
//   HeadParser hp(limits);
//   int64_t r = hp.parse(buf, len, head, headers, cap);
// `buf[0, len)` holds every byte of this request head received so far; each call passes the same
// prefix again with more bytes appended (the buffer may move between calls: results are offsets).
// Returns the head length (> 0) once the request line, the header lines and the empty line are
// complete; kIncomplete when more bytes are needed; kFailed when the head is invalid (then error()
// says why, and status_of(error()) is the status to answer before closing). After kFailed every
// call returns kFailed; after success every call returns the same head until reset(), which starts
// the next request.
//   - Resumable without rescanning: the parser is a state machine that remembers the byte it
//     stopped at (and what it learned so far); a call only reads the new bytes (plus at most a CR
//     whose LF had not arrived). When a head took more than one call, the header spans are written
//     again at completion by a short walk over the (already validated) lines, so `headers` needs no
//     persistence between calls (a scratch array shared by many connections is fine).
//   - Deterministic: every decision is made at the first offending byte, left to right, so the
//     result never depends on how the bytes were split across calls.
//   - Limits: the head (request line through the final CRLF) may use at most max_head_bytes; past
//     that the answer is TargetTooLong (414) while the request line is unfinished, else HeadTooLarge
//     (431). Header lines beyond min(cap, max_headers) are TooManyHeaders (431). A Content-Length
//     above max_body is BodyTooLarge (413).
//   - `head` and `headers[0, head.num_headers)` are complete only when the head length is returned.
//   - Never allocates, never throws, reads only buf[0, len).
// Strictness (RFC 9112; reject where repairing is allowed): see README "C++ API" for the rules.
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
    phase_ = Phase::Method;
    pos_ = mark_ = name_end_ = value_ = 0;
    count_ = 0;
    calls_ = 0;
    h_ = RequestHead{};
    f_ = Facts{};
  }

  /** Why the last call returned kFailed (Error::None otherwise). */
  Error error() const noexcept { return error_; }
  const Limits& limits() const noexcept { return limits_; }
  /** Change the limits (between heads). */
  void set_limits(const Limits& limits) noexcept { limits_ = limits; }
  /** The offset the next call resumes reading at (for tests: proves no rescanning). */
  uint32_t scan_position() const noexcept { return pos_; }

  /** See the file comment. */
  int64_t parse(const uint8_t* buf, size_t len, RequestHead& out, Header* hs, uint32_t cap) noexcept {
    if (error_ != Error::None) return kFailed;
    ++calls_;
    const size_t max_head = limits_.max_head_bytes;
    const size_t window = len < max_head ? len : max_head;
    if (pos_ > window) return kIncomplete;  // fewer bytes than last time: a caller bug; read nothing
    Step s = run(buf, window, hs, cap);
    if (s == Step::Failed) return kFailed;
    if (s == Step::Incomplete) {
      if (window < max_head) return kIncomplete;
      error_ = phase_ <= Phase::VersionEnd ? Error::TargetTooLong : Error::HeadTooLarge;
      return kFailed;
    }
    if (calls_ > 1) refill_headers(buf, hs);  // (also when called again after success)
    out = h_;
    return out.head_length;
  }

 private:
  enum class Step : uint8_t { Done, Incomplete, Failed };
  // Where the state machine stands; the order matters (request-line phases first).
  enum class Phase : uint8_t { Method, TargetStart, Target, Version, VersionEnd, LineStart, Name, Ows, Value, Done };

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
  Error finish(const Facts& f, RequestHead& h) const noexcept {
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
    // RFC 9110 §10.1.1 and §7.8: an HTTP/1.0 request's 100-continue and Upgrade are ignored.
    h.upgrade = h.version_minor == 1 && f.conn_upgrade && f.upgrade_header;
    if (h.version_minor == 0) h.expect_continue = false;
    return Error::None;
  }

  Step fail(Error e) noexcept {
    error_ = e;
    return Step::Failed;
  }

  // The state machine over buf[pos_, n). Each `goto` target re-enters a phase on a later call.
  Step run(const uint8_t* buf, size_t n, Header* hs, uint32_t cap) noexcept {
    const uint8_t* p = buf + pos_;
    const uint8_t* const e = buf + n;
    const uint32_t limit = cap < limits_.max_headers ? cap : limits_.max_headers;
    auto off = [buf](const uint8_t* q) { return static_cast<uint32_t>(q - buf); };
    auto pause = [&](const uint8_t* at, Phase ph) {
      pos_ = off(at);
      phase_ = ph;
      return Step::Incomplete;
    };
    switch (phase_) {
      case Phase::Method: goto method;
      case Phase::TargetStart: goto target_start;
      case Phase::Target: goto target;
      case Phase::Version: goto version;
      case Phase::VersionEnd: goto version_end;
      case Phase::LineStart: goto line_start;
      case Phase::Name: goto name;
      case Phase::Ows: goto ows;
      case Phase::Value: goto value;
      case Phase::Done: return Step::Done;  // called again without reset(): the same head again
    }
    return fail(Error::BadRequestLine);  // unreachable

  method:  // method SP
    while (p < e && chars::is_tchar(*p)) ++p;
    if (p == e) return pause(p, Phase::Method);
    if (p == buf || *p != ' ') return fail(Error::BadMethod);
    h_.method_span = {0, off(p)};
    h_.method = classify(buf, static_cast<size_t>(p - buf));
    ++p;
  target_start:
    if (p == e) return pause(p, Phase::TargetStart);
    if (*p == ' ') return fail(Error::BadRequestLine);
    mark_ = off(p);
  target:  // request-target SP
    p += scan_target(p, static_cast<size_t>(e - p));
    if (p == e) return pause(p, Phase::Target);
    if (*p != ' ') {
      if (*p == '\r') {
        if (p + 1 == e) return pause(p, Phase::Target);
        return fail(p[1] == '\n' ? Error::BadRequestLine : Error::BareCarriageReturn);
      }
      return fail(*p == '\n' ? Error::BareLineFeed : Error::BadTarget);
    }
    if (off(p) == mark_) return fail(Error::BadTarget);
    h_.target = {mark_, off(p) - mark_};
    if (Error err = classify_target(h_.method, buf + mark_, h_.target.len, h_.form); err != Error::None)
      return fail(err);
    ++p;
    mark_ = off(p);
  version:  // "HTTP/" DIGIT "." DIGIT, checked byte by byte against its position
    while (p < e && off(p) - mark_ < 8) {
      const uint32_t i = off(p) - mark_;
      const uint8_t c = *p;
      bool ok = i < 5 ? c == static_cast<uint8_t>("HTTP/"[i]) : i == 6 ? c == '.' : chars::is_digit(c);
      if (!ok) return fail(i == 0 && c == ' ' ? Error::BadRequestLine : Error::BadVersion);
      ++p;
    }
    if (p == e) return pause(p, Phase::Version);
  version_end:  // CRLF
    if (p == e) return pause(p, Phase::VersionEnd);
    if (*p == '\r') {
      if (p + 1 == e) return pause(p, Phase::VersionEnd);
      if (p[1] != '\n') return fail(Error::BareCarriageReturn);
    } else {
      return fail(*p == '\n' ? Error::BareLineFeed : *p == ' ' ? Error::BadRequestLine : Error::BadVersion);
    }
    {
      // RFC 9110 §2.5: HTTP/1.x with x > 1 is handled as HTTP/1.1; any other major is 505
      const uint8_t major = buf[mark_ + 5], minor = buf[mark_ + 7];
      if (major != '1') return fail(Error::VersionNotSupported);
      h_.version_minor = minor == '0' ? 0 : 1;
    }
    p += 2;

  line_start:  // a header line, or the empty line that ends the head
    for (;;) {
      if (p == e) return pause(p, Phase::LineStart);
      if (*p == '\r') {
        if (p + 1 == e) return pause(p, Phase::LineStart);
        if (p[1] != '\n') return fail(Error::BareCarriageReturn);
        p += 2;
        break;
      }
      if (*p == '\n') return fail(Error::BareLineFeed);
      if (chars::is_ows(*p)) return fail(count_ == 0 ? Error::LeadingWhitespace : Error::ObsFold);
      if (count_ >= limit) return fail(Error::TooManyHeaders);
      mark_ = off(p);
    name:
      while (p < e && chars::is_tchar(*p)) ++p;
      if (p == e) return pause(p, Phase::Name);
      if (*p != ':')
        return fail(off(p) != mark_ && chars::is_ows(*p) ? Error::WhitespaceBeforeColon : Error::BadHeaderName);
      if (off(p) == mark_) return fail(Error::BadHeaderName);
      name_end_ = off(p);
      ++p;
    ows:
      while (p < e && chars::is_ows(*p)) ++p;
      if (p == e) return pause(p, Phase::Ows);
      value_ = off(p);
    value:
      p += scan_value(p, static_cast<size_t>(e - p));
      if (p == e) return pause(p, Phase::Value);
      if (*p == '\r') {
        if (p + 1 == e) return pause(p, Phase::Value);
        if (p[1] != '\n') return fail(Error::BareCarriageReturn);
      } else {
        return fail(*p == '\n' ? Error::BareLineFeed : Error::BadHeaderValue);
      }
      {
        const uint8_t* v = buf + value_;
        const uint8_t* ve = p;
        while (ve > v && chars::is_ows(ve[-1])) --ve;
        hs[count_] = Header{{mark_, name_end_ - mark_}, {value_, off(ve) - value_}};
        ++count_;
        if (Error err = on_header(buf, buf + mark_, name_end_ - mark_, v, static_cast<size_t>(ve - v), f_, h_);
            err != Error::None)
          return fail(err);
      }
      p += 2;
    }
    if (Error err = finish(f_, h_); err != Error::None) return fail(err);
    h_.num_headers = count_;
    h_.head_length = off(p);
    pos_ = off(p);
    phase_ = Phase::Done;
    return Step::Done;
  }

  // Re-writes the header spans of a head that took several calls (its lines were validated, but every
  // read stays below head_length anyway, in case the caller changed the bytes between calls).
  void refill_headers(const uint8_t* buf, Header* hs) const noexcept {
    const size_t end = h_.head_length;
    auto u32 = [](size_t v) { return static_cast<uint32_t>(v); };
    size_t p = 0;
    while (p < end && buf[p] != '\n') ++p;  // end of the request line
    ++p;
    for (uint32_t i = 0; i < count_; ++i) {
      const size_t name = p;
      while (p < end && buf[p] != ':') ++p;
      const size_t name_end = p++;
      while (p < end && chars::is_ows(buf[p])) ++p;
      const size_t v = p;
      while (p < end && buf[p] != '\r') ++p;
      size_t ve = p;
      while (ve > v && chars::is_ows(buf[ve - 1])) --ve;
      if (p >= end) {  // inconsistent bytes: leave empty spans rather than read further
        hs[i] = Header{};
        continue;
      }
      hs[i] = Header{{u32(name), u32(name_end - name)}, {u32(v), u32(ve - v)}};
      p += 2;
    }
  }

  Limits limits_;
  Error error_ = Error::None;
  Phase phase_ = Phase::Method;
  uint32_t pos_ = 0;       // next byte to read
  uint32_t mark_ = 0;      // start of the current token (target, version, header name)
  uint32_t name_end_ = 0;  // end of the current header name
  uint32_t value_ = 0;     // start of the current header value
  uint32_t count_ = 0;     // header lines so far
  uint32_t calls_ = 0;     // parse calls for this head
  RequestHead h_;
  Facts f_;
};

}  // namespace jato::http
