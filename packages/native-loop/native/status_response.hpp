// status_response.hpp — the loop's own responses (parser errors, 413, 408, 100 Continue).
// Contract: appends a complete HTTP/1.1 response with Date, Server, Content-Type text/plain,
// Content-Length and `Connection: close` to `out`; the body is the reason phrase.
#pragma once
#include <cstring>
#include <string>

#include "byte_buffer.hpp"

namespace jato::loop {

inline const char* reason_of(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

/** Render a closing error response; false when out of memory. */
inline bool render_status_response(ByteBuffer& out, int status, const char* date29, const std::string& server) {
  const char* reason = reason_of(status);
  size_t rlen = std::strlen(reason);
  char line[64];
  int n = 0;
  // status is one of the fixed 3-digit codes above
  line[n++] = 'H'; line[n++] = 'T'; line[n++] = 'T'; line[n++] = 'P'; line[n++] = '/';
  line[n++] = '1'; line[n++] = '.'; line[n++] = '1'; line[n++] = ' ';
  line[n++] = static_cast<char>('0' + (status / 100) % 10);
  line[n++] = static_cast<char>('0' + (status / 10) % 10);
  line[n++] = static_cast<char>('0' + status % 10);
  line[n++] = ' ';
  std::string s;
  s.reserve(192 + server.size());
  s.append(line, static_cast<size_t>(n));
  s.append(reason, rlen);
  s.append("\r\nDate: ");
  s.append(date29, 29);
  s.append("\r\nServer: ");
  s.append(server);
  s.append("\r\nContent-Type: text/plain\r\nContent-Length: ");
  s.append(std::to_string(rlen));
  s.append("\r\nConnection: close\r\n\r\n");
  s.append(reason, rlen);
  return out.append(s.data(), s.size());
}

constexpr const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace jato::loop
