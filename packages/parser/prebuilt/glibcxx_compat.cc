// Linked into the prebuilt Linux binaries only (binding.gyp, JATO_PREBUILT=1). GCC >= 11 headers make
// std::allocator call std::__throw_bad_array_new_length(), which only libstdc++ >= GCC 11
// (GLIBCXX_3.4.29) exports. A local, hidden definition keeps the binary's libstdc++ requirement at
// GLIBCXX_3.4.21 (GCC 5), so it loads on every distribution Node >= 20 itself supports (glibc 2.28).
// Reached only when an allocation size overflows, which the addons' bounded buffers never request.
#include <cstdlib>

namespace std {
__attribute__((visibility("hidden"), noreturn)) void __throw_bad_array_new_length() { std::abort(); }
}  // namespace std
