#pragma once
/// Engine.IO long-polling payloads: several packets in one HTTP body. Pure functions, no I/O.
///
/// v4 joins records with '\x1e' and sends binary as `b<base64>`. v3 frames each record as
/// `<length>:<packet>` with the length in UTF-16 code units, sends binary as `b4<base64>` to
/// clients that asked for `b64=1`, and otherwise uses a binary framing for payloads with binary.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/buffer.hpp"
#include "engineio/packet.hpp"

namespace engineio {

struct encoded_payload {
  std::string body;
  bool binary = false;  // application/octet-stream rather than text
};

encoded_payload encode_payload(std::span<const outgoing> packets, protocol_version version,
                               bool supports_binary);

/// The packets decoded before the first bad record; `error` tells whether one was found (Node
/// delivers the good ones, then closes the session with "parse error").
struct decoded_payload {
  std::vector<packet> packets;
  bool error = false;
};

/// Decodes a POST body; packets view `body`. `binary_body` is set for an
/// application/octet-stream body (v3 binary framing).
decoded_payload decode_payload(std::string_view body, protocol_version version, bool binary_body);

}  // namespace engineio
