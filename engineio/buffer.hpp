#pragma once
/// Immutable byte buffers shared between a session's queue, its transport and other sessions.

#include <memory>
#include <string>

namespace engineio {

/// Bytes that never change once built; many queues may hold the same buffer (encode once).
using shared_bytes = std::shared_ptr<const std::string>;

inline shared_bytes make_shared_bytes(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

/// One queued packet. A text packet holds its whole Engine.IO encoding (`4hello`, `2`,
/// `3probe`), so a WebSocket frame is the buffer as is; a binary packet holds the raw payload.
struct outgoing {
  shared_bytes bytes;
  bool binary = false;
  /// Node's `compress` write option: false keeps the packet out of per-message deflate, and a
  /// poll answer whose packets all say false out of HTTP compression.
  bool compress = true;
};

}  // namespace engineio
