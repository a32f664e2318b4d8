// test/native/unit_report.hpp — how the C++ unit tests report: one "PASS <name>" or
// "FAIL <name>: <problem>" line per test, then "RESULT <passed> <failed>", the line their runners
// read. Shared by this package's unit.cc and @jato/native-loop's test/native/*_test.cc (its
// test/sanitize/run.mjs puts this directory on the include path).
#pragma once
#include <cstdio>
#include <string>

namespace jato::unit {

struct Tally {
  int passed = 0;
  int failed = 0;
};

inline Tally& tally() {
  static Tally t;
  return t;
}

// Records one test: passed when `problem` is empty, else failed with `problem` printed.
inline void report(const std::string& name, const std::string& problem) {
  if (problem.empty()) {
    ++tally().passed;
    std::printf("PASS %s\n", name.c_str());
  } else {
    ++tally().failed;
    std::printf("FAIL %s: %s\n", name.c_str(), problem.c_str());
  }
}

// Prints the RESULT line; returns the process exit status (0 when no test failed).
inline int finish() {
  std::printf("RESULT %d %d\n", tally().passed, tally().failed);
  return tally().failed == 0 ? 0 : 1;
}

}  // namespace jato::unit
