#pragma once
// MessagePack <-> sio::value, written as notepack.io (what socket.io-msgpack-parser uses) writes
// it: the smallest integer form, float64 for every non-integer, bin for binary. Decoding is
// bounded by the end of the input and in depth.

#include <optional>
#include <string>
#include <string_view>

#include "socketio/detail/json.hpp"
#include "socketio/value.hpp"

namespace socketio::detail {

void append_msgpack(std::string& out, const value& v);

/// nullopt when `bytes` is not one whole MessagePack value, or nests deeper than `max_depth`.
std::optional<value> parse_msgpack(std::string_view bytes, std::size_t max_depth = max_json_depth);

}  // namespace socketio::detail
