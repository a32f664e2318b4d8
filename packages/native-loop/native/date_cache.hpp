// date_cache.hpp — the IMF-fixdate value of the HTTP Date header ("Sun, 06 Nov 1994 08:49:37 GMT"),
// rendered at most once per second into caller-provided memory (29 bytes).
#pragma once
#include <cstdint>
#include <ctime>

namespace jato::loop {

constexpr unsigned kDateLength = 29;

/** Render `t` as IMF-fixdate into out[0..29). */
inline void render_imf_date(time_t t, char* out) {
  static const char* kDays = "SunMonTueWedThuFriSat";
  static const char* kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  struct tm tm;
  gmtime_r(&t, &tm);
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const char* d = kDays + 3 * tm.tm_wday;
  const char* m = kMonths + 3 * tm.tm_mon;
  int year = tm.tm_year + 1900;
  out[0] = d[0]; out[1] = d[1]; out[2] = d[2]; out[3] = ','; out[4] = ' ';
  two(out + 5, tm.tm_mday);
  out[7] = ' ';
  out[8] = m[0]; out[9] = m[1]; out[10] = m[2]; out[11] = ' ';
  two(out + 12, (year / 100) % 100);
  two(out + 14, year % 100);
  out[16] = ' ';
  two(out + 17, tm.tm_hour);
  out[19] = ':';
  two(out + 20, tm.tm_min);
  out[22] = ':';
  two(out + 23, tm.tm_sec);
  out[25] = ' '; out[26] = 'G'; out[27] = 'M'; out[28] = 'T';
}

}  // namespace jato::loop
