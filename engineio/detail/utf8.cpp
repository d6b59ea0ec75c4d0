#include "engineio/detail/utf8.hpp"

namespace engineio::detail {

int utf8_sequence(std::string_view s, std::size_t i) noexcept {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  int len = b >= 0xc2 && b <= 0xdf   ? 2
            : b >= 0xe0 && b <= 0xef ? 3
            : b >= 0xf0 && b <= 0xf4 ? 4
                                     : 0;
  if (len == 0) return -1;
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size()) return -k;
    auto c = static_cast<unsigned char>(s[i + k]);
    // The second byte's range is narrower after E0, ED, F0 and F4 (no overlongs or surrogates).
    unsigned char lo = 0x80, hi = 0xbf;
    if (k == 1 && b == 0xe0) lo = 0xa0;
    if (k == 1 && b == 0xed) hi = 0x9f;
    if (k == 1 && b == 0xf0) lo = 0x90;
    if (k == 1 && b == 0xf4) hi = 0x8f;
    if (c < lo || c > hi) return -k;
  }
  return len;
}

bool valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    int n = utf8_sequence(s, i);
    if (n < 0) return false;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

std::string replace_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    int n = utf8_sequence(s, i);
    if (n > 0) {
      out.append(s.substr(i, static_cast<std::size_t>(n)));
      i += static_cast<std::size_t>(n);
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD
      i += static_cast<std::size_t>(-n);
    }
  }
  return out;
}

}  // namespace engineio::detail
