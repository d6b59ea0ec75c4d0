#pragma once
/// Engine.IO packet codec: pure functions over bytes, no I/O.

#include <optional>
#include <string>
#include <string_view>

#include "engineio/buffer.hpp"
#include "engineio/protocol.hpp"

namespace engineio {

/// A decoded packet. `data` views the input it was decoded from. When `base64` is set, `data`
/// is still base64 text (a `b...` record) that the receiver decodes on delivery.
struct packet {
  packet_type type = packet_type::noop;
  std::string_view data;
  bool binary = false;
  bool base64 = false;
};

/// Decodes a text packet: a WebSocket text frame or one polling record (`4hello`, `2probe`, and
/// `b<base64>` in v4 or `b4<base64>` in v3). nullopt when it is not a valid packet.
std::optional<packet> decode_text_packet(std::string_view text, protocol_version version);

/// Decodes a WebSocket binary frame: in v4 the frame is the message; in v3 its first byte is
/// the packet type.
std::optional<packet> decode_binary_frame(std::string_view frame, protocol_version version);

/// A text packet ready to queue: the type character followed by `data`.
outgoing make_text_packet(packet_type type, std::string_view data = {});

/// A binary message ready to queue.
outgoing make_binary_packet(std::string_view bytes);

}  // namespace engineio
