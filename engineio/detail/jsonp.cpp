#include "engineio/detail/jsonp.hpp"

#include <cctype>

#include "engineio/detail/json_string.hpp"
#include "engineio/request.hpp"

namespace engineio::detail {
namespace {

// The client escapes newlines as "\n" and real backslash-n as "\\n"; undo both (Node's
// rSlashes/rDoubleSlashes pair).
std::string unescape_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 3) == "\\\\n") {
      out += "\\n";
      i += 2;
    } else if (text.substr(i, 2) == "\\n") {
      out += '\n';
      i += 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string jsonp_index(std::string_view j) {
  std::string digits;
  for (char c : j) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  return digits;
}

std::string wrap_jsonp(std::string_view index, std::string_view payload) {
  std::string out = "___eio[";
  out += index;
  out += "](";
  append_json_string(out, payload);
  out += ");";
  return out;
}

std::optional<std::string> decode_jsonp_body(std::string_view form) {
  for (const auto& [key, value] : decode_query(form)) {
    if (key == "d") return unescape_newlines(value);
  }
  return std::nullopt;
}

}  // namespace engineio::detail
