#include "engineio/detail/jsonp.hpp"

#include <cctype>

#include "engineio/detail/json_string.hpp"

namespace engineio::detail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

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
  while (!form.empty()) {
    auto amp = form.find('&');
    auto field = form.substr(0, amp);
    if (field.substr(0, 2) == "d=") return unescape_newlines(form_decode(field.substr(2)));
    if (amp == std::string_view::npos) break;
    form.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace engineio::detail
