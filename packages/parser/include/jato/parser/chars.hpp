// jato/parser/chars.hpp — byte classes of RFC 9110/9112 as 256-entry lookup tables.
// Contract: pure constexpr data, no state; every lookup is a single bounded table read.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace jato::http::chars {

using Table = std::array<bool, 256>;

/** tchar (RFC 9110 §5.6.2): the bytes of a token (method, header name, coding, ...). */
constexpr Table make_tchar() {
  Table t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : {'!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~'})
    t[static_cast<unsigned char>(c)] = true;
  return t;
}

/** Bytes allowed in a field value: HTAB, SP, VCHAR, obs-text (RFC 9110 §5.5). */
constexpr Table make_value() {
  Table t{};
  t['\t'] = true;
  for (int c = 0x20; c <= 0x7E; ++c) t[c] = true;
  for (int c = 0x80; c <= 0xFF; ++c) t[c] = true;
  return t;
}

/** Bytes allowed in a request-target: visible ASCII except '#' (a fragment is never sent). */
constexpr Table make_target() {
  Table t{};
  for (int c = 0x21; c <= 0x7E; ++c) t[c] = c != '#';
  return t;
}

/** Bytes of a reg-name (RFC 3986): unreserved, '%' (of pct-encoded) and sub-delims. */
constexpr Table make_reg_name() {
  Table t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : {'-', '.', '_', '~', '%', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '='})
    t[static_cast<unsigned char>(c)] = true;
  return t;
}

/** Bytes inside an IP-literal's brackets (IPv6 or IPvFuture). */
constexpr Table make_ip_literal() {
  Table t = make_reg_name();
  t['%'] = false;
  t[':'] = true;
  return t;
}

/** qdtext of a quoted-string (RFC 9110 §5.6.4): HTAB, SP, 0x21, 0x23-0x5B, 0x5D-0x7E, obs-text. */
constexpr Table make_qdtext() {
  Table t{};
  t['\t'] = true;
  t[' '] = true;
  t[0x21] = true;
  for (int c = 0x23; c <= 0x5B; ++c) t[c] = true;
  for (int c = 0x5D; c <= 0x7E; ++c) t[c] = true;
  for (int c = 0x80; c <= 0xFF; ++c) t[c] = true;
  return t;
}

inline constexpr Table kTchar = make_tchar();
inline constexpr Table kValue = make_value();
inline constexpr Table kTarget = make_target();
inline constexpr Table kRegName = make_reg_name();
inline constexpr Table kIpLiteral = make_ip_literal();
inline constexpr Table kQdtext = make_qdtext();

constexpr bool is_tchar(uint8_t c) noexcept { return kTchar[c]; }
constexpr bool is_ows(uint8_t c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_digit(uint8_t c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(uint8_t c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/** -1 if c is not a hex digit, else its value. */
constexpr int hex_value(uint8_t c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  uint8_t l = static_cast<uint8_t>(c | 0x20);
  if (l >= 'a' && l <= 'f') return l - 'a' + 10;
  return -1;
}

/** ASCII case-insensitive equality of a token against a lower-case literal of the same length. */
inline bool ieq(const uint8_t* p, size_t n, const char* lower, size_t lower_len) noexcept {
  if (n != lower_len) return false;
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = p[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<uint8_t>(c | 0x20);
    if (c != static_cast<uint8_t>(lower[i])) return false;
  }
  return true;
}

}  // namespace jato::http::chars
