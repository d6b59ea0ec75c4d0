#pragma once
// Writes a string as a JSON string literal, as JSON.stringify does (U+2028/U+2029 escaped too,
// so the result is also valid JavaScript for JSONP).

#include <string>
#include <string_view>

namespace engineio::detail {

void append_json_string(std::string& out, std::string_view utf8);

}  // namespace engineio::detail
