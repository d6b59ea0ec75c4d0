#include "engineio/detail/utf16.hpp"

namespace engineio::detail {
namespace {

struct code_point_size {
  std::size_t bytes;
  std::size_t units;
};

code_point_size next_code_point(std::string_view s, std::size_t i) noexcept {
  auto lead = static_cast<unsigned char>(s[i]);
  std::size_t len = lead < 0x80           ? 1
                    : (lead >> 5) == 0x6  ? 2
                    : (lead >> 4) == 0xe  ? 3
                    : (lead >> 3) == 0x1e ? 4
                                          : 0;
  if (len == 0 || i + len > s.size()) return {1, 1};
  for (std::size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return {1, 1};
  }
  return {len, len == 4 ? 2u : 1u};
}

}  // namespace

std::size_t utf16_length(std::string_view utf8) noexcept {
  std::size_t units = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    auto cp = next_code_point(utf8, i);
    i += cp.bytes;
    units += cp.units;
  }
  return units;
}

std::optional<std::size_t> utf8_prefix_bytes(std::string_view utf8, std::size_t units) noexcept {
  std::size_t i = 0;
  while (units > 0) {
    if (i >= utf8.size()) return std::nullopt;
    auto cp = next_code_point(utf8, i);
    if (cp.units > units) return std::nullopt;
    i += cp.bytes;
    units -= cp.units;
  }
  return i;
}

}  // namespace engineio::detail
