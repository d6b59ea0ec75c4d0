#pragma once
/// Decoding of incoming Socket.IO packets, with the checks of Node's socket.io-parser: the same
/// packets are refused, and a refused packet ends the connection.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "socketio/packet.hpp"

namespace socketio {

/// Stateful: a BINARY_EVENT/BINARY_ACK waits for its attachments, which arrive as the next
/// binary messages.
class decoder {
 public:
  enum class status { complete, waiting, error };

  explicit decoder(parser_kind kind = parser_kind::json,
                   std::size_t max_attachments = default_max_attachments)
      : kind_(kind), max_attachments_(max_attachments) {}

  /// A text message (the Socket.IO part, after the Engine.IO "4").
  status add_text(std::string_view text);
  /// A binary message: the next attachment of the packet being rebuilt.
  status add_binary(std::string_view bytes);

  /// The packet, once a call returned `complete`.
  packet take() { return std::move(packet_); }
  /// Why the last call returned `error` (Node's message).
  const std::string& error() const noexcept { return error_; }

 private:
  status fail(std::string message);
  status finish();
  status decode_msgpack(std::string_view bytes);

  parser_kind kind_;
  std::size_t max_attachments_;
  packet packet_;
  std::size_t expected_attachments_ = 0;
  std::vector<std::string> attachments_;
  bool reconstructing_ = false;
  std::string error_;
};

}  // namespace socketio
