// jato/parser/types.hpp — the public vocabulary of the header-only HTTP/1.1 request parser.
// Contract: the parser never allocates and never owns memory. It reads a caller-owned buffer and
// reports positions in it as Spans (offset, length) relative to the start of that buffer. Every
// failure is a value (an Error that maps to the status the server must send, then close).
#pragma once
#include <cstddef>
#include <cstdint>

namespace jato::http {

/** A byte range in the caller's buffer: [off, off + len). */
struct Span {
  uint32_t off = 0;
  uint32_t len = 0;
};

/** One header field line: name and value (value without leading/trailing whitespace). */
struct Header {
  Span name;
  Span value;
};

/** Well-known methods; anything else that is a valid token is Method::Other (see RequestHead::method_span). */
enum class Method : uint8_t {
  Other = 0, Get, Head, Post, Put, Delete, Connect, Options, Trace, Patch,
};

/** The four request-target forms of RFC 9112 §3.2. */
enum class TargetForm : uint8_t { Origin = 0, Absolute, Authority, Asterisk };

/** How the message body is framed (RFC 9112 §6.3). */
enum class BodyKind : uint8_t { None = 0, Length, Chunked };

/**
 * Parse errors. Each maps to the status the server answers with before closing the connection
 * (see status_of). Keep the numeric values stable: they cross into JS.
 */
enum class Error : uint8_t {
  None = 0,
  // 400 Bad Request
  BadMethod, BadTarget, BadVersion, BadRequestLine, BadHeaderName, BadHeaderValue,
  BareLineFeed, BareCarriageReturn, ObsFold, WhitespaceBeforeColon, LeadingWhitespace,
  BadContentLength, DuplicateContentLength, ContentLengthWithTransferEncoding,
  TransferEncodingOnHttp10, BadTransferEncoding, MissingHost, DuplicateHost, BadHost,
  BadChunkSize, BadChunkExtension, BadChunkData, BadTrailer, BadConnection,
  // 414 URI Too Long
  TargetTooLong,
  // 431 Request Header Fields Too Large
  HeadTooLarge, TooManyHeaders,
  // 413 Content Too Large
  BodyTooLarge,
  // 501 Not Implemented (a transfer coding other than a final chunked)
  UnknownTransferCoding,
  // 505 HTTP Version Not Supported
  VersionNotSupported,
  Count_,
};

/** The HTTP status a server sends for an error (0 for Error::None). */
constexpr int status_of(Error e) noexcept {
  switch (e) {
    case Error::None: return 0;
    case Error::TargetTooLong: return 414;
    case Error::HeadTooLarge:
    case Error::TooManyHeaders: return 431;
    case Error::BodyTooLarge: return 413;
    case Error::UnknownTransferCoding: return 501;
    case Error::VersionNotSupported: return 505;
    default: return 400;
  }
}

/** Configurable limits; defaults are the framework's defaults. */
struct Limits {
  uint32_t max_head_bytes = 16 * 1024;  // request line + header section incl. final CRLF (431, or 414 for the target)
  uint32_t max_headers = 4096;          // header lines (431): max_head_bytes / 4, so the byte limit is the guard
  uint64_t max_body = 1024 * 1024;      // inclusive; a larger Content-Length or chunked total is 413
};

/** Everything the head parser learned about one request. All spans are into the parsed buffer. */
struct RequestHead {
  Method method = Method::Other;
  Span method_span;
  Span target;
  TargetForm form = TargetForm::Origin;
  uint8_t version_minor = 1;           // HTTP/1.<minor>; major is always 1 (else an error)
  uint32_t num_headers = 0;            // headers written to the caller's Header array
  Span host;                           // value of the Host header (len 0 if absent on HTTP/1.0)
  BodyKind body = BodyKind::None;
  uint64_t content_length = 0;         // valid when body == BodyKind::Length
  bool keep_alive = true;              // after this request (version default + Connection tokens)
  bool expect_continue = false;        // Expect: 100-continue
  bool upgrade = false;                // Connection: upgrade + Upgrade header present
  uint32_t head_length = 0;            // bytes of request line + headers + final CRLF
};

/** Return codes of the resumable entry points besides a non-negative byte count. */
constexpr int64_t kIncomplete = -2;  // need more bytes
constexpr int64_t kFailed = -1;      // see the parser's error()

}  // namespace jato::http
