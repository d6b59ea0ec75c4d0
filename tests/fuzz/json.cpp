// JSON parsing (socketio/detail/json.hpp parse_json), as used for every Socket.IO payload.
// A parsed value is written again (to_json), and that text must parse, and write the same.
// Input byte 0: a depth limit when not 0 (else max_json_depth); the rest is the text.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "socketio/detail/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t depth = data[0] == 0 ? socketio::detail::max_json_depth : data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto v = socketio::detail::parse_json(text, depth);
  if (!v) return 0;
  auto once = socketio::detail::to_json(*v);
  auto w = socketio::detail::parse_json(once, depth);
  if (!w) std::fprintf(stderr, "written JSON does not parse: %s\n", once.c_str());
  FUZZ_CHECK(w.has_value());
  FUZZ_CHECK(socketio::detail::to_json(*w) == once);
  return 0;
}
