#pragma once
// The pieces of @socket.io/redis-adapter's messages: packets and broadcast options as the Node
// adapter puts them into JSON or notepack's MessagePack, and back.

#include <optional>
#include <string>
#include <string_view>

#include "socketio/adapter.hpp"
#include "socketio/packet.hpp"
#include "socketio/value.hpp"

namespace socketio {
class namespace_;
}

namespace socketio::redis::detail {

/// A random id of `length` letters and digits (the adapter's uid2).
std::string random_id(std::size_t length);

/// socket.io-parser's packet object before encoding: {type, data, nsp}. Events with binary keep
/// type 2, as Node's encoder decides about attachments itself.
value packet_value(const packet& p);
/// A packet object from another node; the namespace defaults to "/" as in the adapter.
std::optional<packet> packet_from(const value& v);

/// Whether `v` holds binary anywhere (socket.io-parser's hasBinary).
bool has_binary(const value& v);

/// {rooms, except} or, with the flags, {rooms, except, flags}.
value options_value(const broadcast_options& opts, bool with_flags);
broadcast_options options_from(const value& v);

/// A request or response: JSON when it starts with '{', else MessagePack (the adapter's rule).
std::optional<value> decode(std::string_view bytes);
std::string json(const value& v);
std::string msgpack(const value& v);

/// fetchSockets' wire form of a socket, {id, handshake, rooms, data}, and back.
value socket_value(const remote_socket& s);
remote_socket socket_from(namespace_& nsp, const value& v);

}  // namespace socketio::redis::detail
