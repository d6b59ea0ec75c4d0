#pragma once
// JSONP polling, for clients without XHR: answers are `___eio[j]("payload");` scripts, and the
// client POSTs a form field `d` holding the payload.

#include <optional>
#include <string>
#include <string_view>

namespace engineio::detail {

/// The callback index from the `j` query parameter: its digits only, as Node keeps them.
std::string jsonp_index(std::string_view j);

std::string wrap_jsonp(std::string_view index, std::string_view payload);

/// The payload inside a form body `d=...`; nullopt when there is no `d` field.
std::optional<std::string> decode_jsonp_body(std::string_view form);

}  // namespace engineio::detail
