// test/native/heap_tuning_test.cc — unit test of native/heap_tuning.hpp's decision (built with ASan +
// UBSan by test/sanitize/run.mjs, where malloc is the sanitizer's, so only the decision is tested
// here; the effect, page faults per MiB uploaded, is @jato/core's test/upload-page-faults.test.ts):
// the thresholds are set unless the user chose either one (MALLOC_*_THRESHOLD_ or GLIBC_TUNABLES)
// or turned the tuning off (JATO_HEAP_TUNING=0). Prints one line per test and "RESULT <passed> <failed>".
#include <string>

#include "heap_tuning.hpp"
#include "unit_report.hpp"

using jato::loop::heap_tuning_wanted;
using jato::unit::report;

namespace {

void decision() {
  struct Case {
    const char* tunables;
    const char* trim;
    const char* mmap;
    const char* jato;
    bool want;
  };
  const Case cases[] = {
      {nullptr, nullptr, nullptr, nullptr, true},
      {"glibc.malloc.arena_max=2", nullptr, nullptr, nullptr, true},
      {"glibc.malloc.trim_threshold=1048576", nullptr, nullptr, nullptr, false},
      {"glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536", nullptr, nullptr, nullptr, false},
      {nullptr, "0", nullptr, nullptr, false},
      {nullptr, nullptr, "131072", nullptr, false},
      {nullptr, nullptr, nullptr, "0", false},
      {nullptr, nullptr, nullptr, "1", true},
      {"", nullptr, nullptr, "", true},
  };
  std::string problem;
  int i = 0;
  for (const Case& c : cases) {
    if (heap_tuning_wanted(c.tunables, c.trim, c.mmap, c.jato) != c.want && problem.empty())
      problem = "case " + std::to_string(i) + " answered " + (c.want ? "no" : "yes");
    ++i;
  }
  report("the thresholds are ours unless the user set one (MALLOC_*_THRESHOLD_, GLIBC_TUNABLES) or JATO_HEAP_TUNING=0", problem);
}

void once_per_process() {
  // with JATO_HEAP_TUNING=0 in this process's environment nothing is set, and later calls agree
  std::string problem;
  setenv("JATO_HEAP_TUNING", "0", 1);
  if (jato::loop::tune_heap_for_bodies()) problem = "set although JATO_HEAP_TUNING=0";
  unsetenv("JATO_HEAP_TUNING");
  if (problem.empty() && jato::loop::tune_heap_for_bodies()) problem = "decided a second time";
  report("tune_heap_for_bodies decides once per process", problem);
}

}  // namespace

int main() {
  decision();
  once_per_process();
  return jato::unit::finish();
}
