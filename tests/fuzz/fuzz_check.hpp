#pragma once
// Helpers shared by the libFuzzer targets: an invariant check that aborts (so libFuzzer records
// the input as a crash, with the message), and a check that a decoded view lies in the input.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace sio_fuzz {

/// Whether `part` views bytes of `whole` (an empty view anywhere is fine).
inline bool within(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace sio_fuzz
