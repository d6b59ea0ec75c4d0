#pragma once
// JSON text <-> sio::value, on RapidJSON. Parsing is iterative and depth-limited, so hostile
// input nested thousands deep is refused instead of exhausting the stack.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "socketio/value.hpp"

namespace socketio::detail {

/// Deepest nesting accepted from the network.
inline constexpr std::size_t max_json_depth = 512;

std::optional<value> parse_json(std::string_view text, std::size_t max_depth = max_json_depth);

/// Appends `v` as JSON. With `attachments`, binary leaves become Socket.IO placeholders
/// ({"_placeholder":true,"num":N}) and their bytes are moved there, in order.
void append_json(std::string& out, const value& v, std::vector<std::string>* attachments = nullptr);

std::string to_json(const value& v);

}  // namespace socketio::detail
