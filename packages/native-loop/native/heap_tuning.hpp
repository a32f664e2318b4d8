// heap_tuning.hpp — keep freed body-buffer memory in the process heap (glibc) instead of returning it
// to the kernel after every young GC.
// Why: a streamed body is read into fresh Node Buffers of up to 256 KiB (body_buffer.cc); V8 frees
// the dead ones in batches (its young GC runs once ~32 MiB of young array buffers piled up). glibc's
// default, dynamic trim threshold is twice its mmap threshold (~0.5 MiB once that grew to a body
// buffer), so each batch went back to the kernel (brk) and the next reads faulted every page in again
// and the kernel zeroed it: 8–37 page faults and ~0.3 brk calls per MiB uploaded, ~10 % of the
// server's CPU per MiB (up to ~10 %). With a 64 MiB trim threshold the heap keeps that memory: ~1–3 faults per MiB
// (32 MiB, the size of one batch, was not enough margin: every few runs the batches still went back).
// The cost: up to 64 MiB of free heap stays in the process (its RSS stays at the peak it reached
// instead of dropping between GCs).
// Setting one threshold freezes glibc's dynamic mmap threshold, so that is set too (4 MiB: blocks
// under it, body buffers and buffered bodies included, come from the heap, as they do anyway once
// glibc's dynamic threshold grew past them; larger blocks are mapped and unmapped on their own).
// Process-wide, at most once, with glibc only, when a server with streamed bodies is created
// (addon.cc), and never when the user chose either threshold (MALLOC_TRIM_THRESHOLD_,
// MALLOC_MMAP_THRESHOLD_, or glibc.malloc.trim_threshold / mmap_threshold in GLIBC_TUNABLES):
// their setting wins. Also off with JATO_HEAP_TUNING=0.
// Contract: no allocation, no JS; safe from any thread (an atomic flag: std::call_once would need
// pthread_once@GLIBC_2.34, above the prebuilt binary's glibc baseline).
#pragma once
#include <cstdlib>
#include <cstring>
#include <atomic>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace jato::loop {

/** The trim threshold set (bytes of free heap top glibc keeps). */
constexpr int kHeapTrimThreshold = 64 * 1024 * 1024;
/** The mmap threshold set with it (blocks this large or larger are mapped on their own). */
constexpr int kHeapMmapThreshold = 4 * 1024 * 1024;

/**
 * Whether the thresholds are ours to set, given the environment values (null when unset): not when
 * the user set either threshold, or JATO_HEAP_TUNING=0.
 */
inline bool heap_tuning_wanted(const char* glibc_tunables, const char* trim_env, const char* mmap_env,
                               const char* jato_env) {
  if (trim_env != nullptr || mmap_env != nullptr) return false;
  if (jato_env != nullptr && std::strcmp(jato_env, "0") == 0) return false;
  if (glibc_tunables != nullptr && (std::strstr(glibc_tunables, "malloc.trim_threshold") != nullptr ||
                                    std::strstr(glibc_tunables, "malloc.mmap_threshold") != nullptr))
    return false;
  return true;
}

/** Sets the thresholds once per process when wanted (see above); true when they were set by this call. */
inline bool tune_heap_for_bodies() {
#if defined(__GLIBC__)
  static std::atomic<bool> tried{false};
  if (tried.exchange(true)) return false;
  if (!heap_tuning_wanted(std::getenv("GLIBC_TUNABLES"), std::getenv("MALLOC_TRIM_THRESHOLD_"),
                          std::getenv("MALLOC_MMAP_THRESHOLD_"), std::getenv("JATO_HEAP_TUNING")))
    return false;
  // the mmap threshold first: the trim threshold alone would freeze it wherever it is now
  const bool done =
      mallopt(M_MMAP_THRESHOLD, kHeapMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kHeapTrimThreshold) == 1;
  return done;
#else
  return false;
#endif
}

}  // namespace jato::loop
