#pragma once
/// Engine.IO protocol vocabulary shared by the codecs, the session and the transports.

#include <string_view>

namespace engineio {

/// Packet types; the enumerator value is the character that starts the encoded text packet.
enum class packet_type : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

/// Engine.IO protocol revision, chosen by the client's `EIO` query parameter.
enum class protocol_version { v3 = 3, v4 = 4 };

enum class transport_kind { polling, websocket };

/// The name a client puts in `?transport=` and that Node reports as `transport.name`.
constexpr std::string_view to_string(transport_kind kind) noexcept {
  return kind == transport_kind::polling ? "polling" : "websocket";
}

}  // namespace engineio
