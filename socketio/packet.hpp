#pragma once
/// Socket.IO packets (protocol v5, and v4 for Engine.IO v3 clients) and their text encoding,
/// as Node's socket.io-parser: `<type>[<attachments>-][<nsp>,][<id>][<json>]`.

#include <cstdint>
#include <optional>
#include <string>
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

/// A packet encoded once, ready for any number of sessions: `text` is the whole Engine.IO message
/// packet ("4" + Socket.IO text), then one binary message per attachment.
struct encoded_packet {
  engineio::shared_bytes text;
  std::vector<engineio::shared_bytes> attachments;
};

/// Encodes with binary leaves moved to attachments (EVENT/ACK become BINARY_EVENT/BINARY_ACK).
encoded_packet encode(const packet& p);

}  // namespace socketio
