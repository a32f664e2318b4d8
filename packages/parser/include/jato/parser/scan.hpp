// jato/parser/scan.hpp — the hot byte scans, with SSE4.2 and AVX2 paths chosen at run time.
// Contract: every function reads only p[0, n) (vector loads happen only while 16 or 32 bytes remain;
// the tail is scalar), returns an index in [0, n] and never allocates. The level is detected once
// (cpuid through __builtin_cpu_supports) and can be lowered with set_simd_level() or the environment
// variable JATO_SIMD=scalar|sse42|avx2 (read at first use) so tests and the fuzzer cover every path.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#define JATO_HTTP_X86 1
#include <immintrin.h>
#include <nmmintrin.h>
#endif

namespace jato::http {

/** Which scan implementation runs. */
enum class SimdLevel : uint8_t { Scalar = 0, Sse42 = 1, Avx2 = 2 };

namespace scan_detail {

// The selected level, -1 until first use (one definition across translation units: C++17 inline).
inline std::atomic<int> g_level{-1};
inline std::atomic<int>& level_slot() noexcept { return g_level; }

inline SimdLevel detect_supported() noexcept {
#if JATO_HTTP_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return SimdLevel::Avx2;
  if (__builtin_cpu_supports("sse4.2")) return SimdLevel::Sse42;
#endif
  return SimdLevel::Scalar;
}

// ---- scalar -------------------------------------------------------------------------------------

inline size_t target_scalar(const uint8_t* p, size_t n) noexcept {
  size_t i = 0;
  for (; i < n; ++i) {
    uint8_t c = p[i];
    if (c <= 0x20 || c >= 0x7F || c == '#') break;
  }
  return i;
}

inline size_t value_scalar(const uint8_t* p, size_t n) noexcept {
  size_t i = 0;
  for (; i < n; ++i) {
    uint8_t c = p[i];
    if ((c < 0x20 && c != '\t') || c == 0x7F) break;
  }
  return i;
}

inline size_t lf_scalar(const uint8_t* p, size_t n) noexcept {
  size_t i = 0;
  for (; i < n; ++i)
    if (p[i] == '\n') break;
  return i;
}

#if JATO_HTTP_X86
// ---- SSE4.2 (pcmpestri with byte ranges) -------------------------------------------------------

__attribute__((target("sse4.2"))) inline size_t ranges_sse42(const uint8_t* p, size_t n,
                                                              const char* ranges, int rlen) noexcept {
  const __m128i r = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ranges));
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    int idx = _mm_cmpestri(r, rlen, v, 16,
                           _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_LEAST_SIGNIFICANT);
    if (idx != 16) return i + static_cast<size_t>(idx);
  }
  return i;  // caller finishes the tail
}

// 16-byte constants: pairs of inclusive ranges, padded with zeros (rlen limits what is used).
alignas(16) inline constexpr char kTargetRanges[16] = {0x00, 0x20, '#', '#', 0x7F, static_cast<char>(0xFF)};
alignas(16) inline constexpr char kValueRanges[16] = {0x00, 0x08, 0x0A, 0x1F, 0x7F, 0x7F};
alignas(16) inline constexpr char kLfRanges[16] = {'\n', '\n'};

inline size_t target_sse42(const uint8_t* p, size_t n) noexcept {
  size_t i = ranges_sse42(p, n, kTargetRanges, 6);
  return i + target_scalar(p + i, n - i);
}
inline size_t value_sse42(const uint8_t* p, size_t n) noexcept {
  size_t i = ranges_sse42(p, n, kValueRanges, 6);
  return i + value_scalar(p + i, n - i);
}
inline size_t lf_sse42(const uint8_t* p, size_t n) noexcept {
  size_t i = ranges_sse42(p, n, kLfRanges, 2);
  return i + lf_scalar(p + i, n - i);
}

// ---- AVX2 (32 bytes per step, compare + movemask) ----------------------------------------------

__attribute__((target("avx2"))) inline size_t target_avx2(const uint8_t* p, size_t n) noexcept {
  const __m256i sp = _mm256_set1_epi8(0x20);
  const __m256i del = _mm256_set1_epi8(0x7F);
  const __m256i hash = _mm256_set1_epi8('#');
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    __m256i le = _mm256_cmpeq_epi8(_mm256_min_epu8(v, sp), v);   // v <= 0x20
    __m256i ge = _mm256_cmpeq_epi8(_mm256_max_epu8(v, del), v);  // v >= 0x7F
    __m256i bad = _mm256_or_si256(_mm256_or_si256(le, ge), _mm256_cmpeq_epi8(v, hash));
    uint32_t m = static_cast<uint32_t>(_mm256_movemask_epi8(bad));
    if (m) return i + static_cast<size_t>(__builtin_ctz(m));
  }
  return i + target_scalar(p + i, n - i);
}

__attribute__((target("avx2"))) inline size_t value_avx2(const uint8_t* p, size_t n) noexcept {
  const __m256i us = _mm256_set1_epi8(0x1F);
  const __m256i del = _mm256_set1_epi8(0x7F);
  const __m256i tab = _mm256_set1_epi8('\t');
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    __m256i ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, us), v);  // v <= 0x1F
    ctl = _mm256_andnot_si256(_mm256_cmpeq_epi8(v, tab), ctl);
    __m256i bad = _mm256_or_si256(ctl, _mm256_cmpeq_epi8(v, del));
    uint32_t m = static_cast<uint32_t>(_mm256_movemask_epi8(bad));
    if (m) return i + static_cast<size_t>(__builtin_ctz(m));
  }
  return i + value_scalar(p + i, n - i);
}

__attribute__((target("avx2"))) inline size_t lf_avx2(const uint8_t* p, size_t n) noexcept {
  const __m256i lf = _mm256_set1_epi8('\n');
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    uint32_t m = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, lf)));
    if (m) return i + static_cast<size_t>(__builtin_ctz(m));
  }
  return i + lf_scalar(p + i, n - i);
}
#endif  // JATO_HTTP_X86

inline SimdLevel clamp(SimdLevel want) noexcept {
  SimdLevel best = detect_supported();
  return static_cast<uint8_t>(want) > static_cast<uint8_t>(best) ? best : want;
}

inline SimdLevel initial_level() noexcept {
  SimdLevel want = SimdLevel::Avx2;
  if (const char* env = std::getenv("JATO_SIMD")) {
    if (std::strcmp(env, "scalar") == 0) want = SimdLevel::Scalar;
    else if (std::strcmp(env, "sse42") == 0) want = SimdLevel::Sse42;
  }
  return clamp(want);
}

}  // namespace scan_detail

/** The best level this CPU supports. */
inline SimdLevel simd_supported() noexcept { return scan_detail::detect_supported(); }

/** The level the scans use now (detected on first call; JATO_SIMD may lower it). */
inline SimdLevel simd_level() noexcept {
  int v = scan_detail::level_slot().load(std::memory_order_relaxed);
  if (v < 0) {
    v = static_cast<int>(scan_detail::initial_level());
    scan_detail::level_slot().store(v, std::memory_order_relaxed);
  }
  return static_cast<SimdLevel>(v);
}

/** Select a level (clamped to what the CPU supports); returns the level now in use. */
inline SimdLevel set_simd_level(SimdLevel want) noexcept {
  SimdLevel got = scan_detail::clamp(want);
  scan_detail::level_slot().store(static_cast<int>(got), std::memory_order_relaxed);
  return got;
}

/** Index of the first byte that cannot be in a request-target (<= 0x20, '#', >= 0x7F), or n. */
inline size_t scan_target(const uint8_t* p, size_t n) noexcept {
#if JATO_HTTP_X86
  switch (simd_level()) {
    case SimdLevel::Avx2: return scan_detail::target_avx2(p, n);
    case SimdLevel::Sse42: return scan_detail::target_sse42(p, n);
    default: break;
  }
#endif
  return scan_detail::target_scalar(p, n);
}

/** Index of the first byte that cannot be in a field value (a control other than HTAB, or DEL), or n. */
inline size_t scan_value(const uint8_t* p, size_t n) noexcept {
#if JATO_HTTP_X86
  switch (simd_level()) {
    case SimdLevel::Avx2: return scan_detail::value_avx2(p, n);
    case SimdLevel::Sse42: return scan_detail::value_sse42(p, n);
    default: break;
  }
#endif
  return scan_detail::value_scalar(p, n);
}

/** Index of the first LF, or n. */
inline size_t scan_lf(const uint8_t* p, size_t n) noexcept {
#if JATO_HTTP_X86
  switch (simd_level()) {
    case SimdLevel::Avx2: return scan_detail::lf_avx2(p, n);
    case SimdLevel::Sse42: return scan_detail::lf_sse42(p, n);
    default: break;
  }
#endif
  return scan_detail::lf_scalar(p, n);
}

}  // namespace jato::http
