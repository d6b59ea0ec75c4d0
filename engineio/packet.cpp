#include "engineio/packet.hpp"

namespace engineio {
namespace {

std::optional<packet_type> type_from_char(char c) {
  if (c < '0' || c > '6') return std::nullopt;
  return static_cast<packet_type>(c);
}

}  // namespace

std::optional<packet> decode_text_packet(std::string_view text, protocol_version version) {
  if (text.empty()) return std::nullopt;
  if (text.front() == 'b') {
    if (version == protocol_version::v4) {
      return packet{packet_type::message, text.substr(1), true, true};
    }
    // v3 base64 records carry their own type: b4<base64>.
    if (text.size() < 2) return std::nullopt;
    auto type = type_from_char(text[1]);
    if (!type) return std::nullopt;
    return packet{*type, text.substr(2), true, true};
  }
  auto type = type_from_char(text.front());
  if (!type) return std::nullopt;
  return packet{*type, text.substr(1)};
}

std::optional<packet> decode_binary_frame(std::string_view frame, protocol_version version) {
  if (version == protocol_version::v4) return packet{packet_type::message, frame, true};
  if (frame.empty() || static_cast<unsigned char>(frame.front()) > 6) return std::nullopt;
  auto type = static_cast<packet_type>('0' + frame.front());
  return packet{type, frame.substr(1), true};
}

outgoing make_text_packet(packet_type type, std::string_view data) {
  std::string bytes;
  bytes.reserve(1 + data.size());
  bytes += static_cast<char>(type);
  bytes += data;
  return {make_shared_bytes(std::move(bytes)), false};
}

outgoing make_binary_packet(std::string_view bytes) {
  return {make_shared_bytes(std::string(bytes)), true};
}

}  // namespace engineio
