#pragma once
/// Plain WebSocket endpoints next to Engine.IO on the same port, for clients that speak raw
/// WebSocket (browsers' `WebSocket`, Starscream) rather than Engine.IO: what a `ws` server
/// sharing Node's HTTP server gives.
///
/// ```cpp
/// server.websocket("/echo", {
///     .on_message = [](eio::websocket_peer& peer, std::string_view data, bool binary) {
///       binary ? peer.send_binary(data) : peer.send_text(data);
///     }});
/// ```

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "engineio/request.hpp"

namespace engineio {

/// One open WebSocket. Keep a `shared_from_this()` to send to it later from any thread.
class websocket_peer : public std::enable_shared_from_this<websocket_peer> {
 public:
  virtual ~websocket_peer() = default;

  /// Queue a message; callable from any thread, in order per calling thread. A peer that lets
  /// more than `max_buffered_bytes` pile up unread is dropped rather than grow memory.
  virtual void send_text(std::string_view text) = 0;
  virtual void send_binary(std::string_view bytes) = 0;
  /// Starts the closing handshake after what is queued; callable from any thread.
  virtual void close(std::uint16_t code = 1000) = 0;

  /// The upgrade request (headers, query, remote address).
  virtual const request_info& request() const noexcept = 0;
};

/// The callbacks of an endpoint, each called on the peer's shard thread, one at a time per peer;
/// what one throws is logged, and the peer goes on. A message larger than the engine's
/// `max_http_buffer_size` closes the peer with 1009.
struct websocket_handler {
  /// Called once the upgrade is known good, before the 101 goes out: a client that sees its
  /// socket open is already known here (as with `ws`), and what is sent here follows the 101.
  /// If the 101 cannot be written, on_close (1006) follows; a refused upgrade calls neither.
  std::function<void(websocket_peer&)> on_open{};
  std::function<void(websocket_peer&, std::string_view data, bool binary)> on_message{};
  /// The last call for the peer; `code` is the close code received (1006 when none).
  std::function<void(websocket_peer&, std::uint16_t code)> on_close{};
};

}  // namespace engineio
