#include "engineio/request.hpp"

#include "engineio/detail/utf8.hpp"

#include <algorithm>
#include <string>

namespace engineio {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding as URLSearchParams: '+' is a space, a '%' not
// followed by two hex digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
std::string form_decode(std::string_view s) {
  std::string bytes;
  bytes.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      bytes += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
               hex_digit(s[i + 2]) >= 0) {
      bytes += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      bytes += s[i];
    }
  }
  return detail::replace_invalid_utf8(bytes);
}

}  // namespace

query_params decode_query(std::string_view query) {
  query_params out;
  // Sized once for the usual case: sessions keep their request for life.
  out.reserve(static_cast<std::size_t>(std::count(query.begin(), query.end(), '&')) + 1,
              query.size());
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      out.emplace_back(form_decode(pair.substr(0, eq)), eq == std::string_view::npos
                                                            ? std::string{}
                                                            : form_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<std::string_view> request_info::header(std::string_view name) const {
  return headers.first(name);
}

std::optional<std::string_view> request_info::query_param(std::string_view name) const {
  // A repeated key keeps its last value, as in Node's handshake query.
  return query.last(name);
}

void request_info::set_local(std::string name, std::any value) {
  if (!locals) locals = std::make_shared<request_locals>();
  (*locals)[std::move(name)] = std::move(value);
}

}  // namespace engineio
