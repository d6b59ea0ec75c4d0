#pragma once
/// Socket.IO packets (protocol v5, and v4 for Engine.IO v3 clients) and their text encoding,
/// as Node's socket.io-parser: `<type>[<attachments>-][<nsp>,][<id>][<json>]`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/buffer.hpp"
#include "socketio/value.hpp"

namespace socketio {

enum class packet_type {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

struct packet {
  packet_type type = packet_type::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;
  std::optional<value> data;
};

/// Event names the protocol keeps for itself ("connect", "disconnect", ...): clients may not send
/// them and the server does not emit them (Node throws "... is a reserved event name").
bool is_reserved_event(std::string_view name) noexcept;

/// How packets travel: Node's default parser (text, binary as attachments) or
/// socket.io-msgpack-parser (one binary message per packet).
enum class parser_kind { json, msgpack };

/// Node's Decoder `maxAttachments`: a BINARY_EVENT or BINARY_ACK announcing more is refused.
inline constexpr std::size_t default_max_attachments = 10;

/// A packet encoded once, ready for any number of sessions: its Engine.IO messages in order. With
/// the default parser, a text message ("4" + Socket.IO text, the Engine.IO type included) then one
/// binary message per attachment; with msgpack, one binary message.
struct encoded_packet {
  std::vector<engineio::outgoing> frames;
};

/// With the default parser binary leaves become attachments (EVENT/ACK turn into
/// BINARY_EVENT/BINARY_ACK); msgpack keeps them inline.
encoded_packet encode(const packet& p, parser_kind kind = parser_kind::json);

/// A packet sent under a different ack id to each recipient (a broadcast with acks, since every
/// socket counts its own ids): encoded once, the id added per recipient, the attachments shared.
class numbered_packet {
 public:
  numbered_packet(const packet& p, parser_kind kind);
  /// What `encode` gives for the packet with this id.
  encoded_packet with_id(std::uint64_t id) const;

 private:
  parser_kind kind_;
  std::string head_, tail_;  // text before and after the id; msgpack: the map without the id
  std::vector<engineio::outgoing> attachments_;
};

}  // namespace socketio
