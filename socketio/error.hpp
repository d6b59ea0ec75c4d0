#pragma once
/// Disconnect reasons with Node's exact strings, and the errors a middleware or an ack can give.

#include <optional>
#include <string>
#include <string_view>

#include "engineio/error.hpp"
#include "socketio/value.hpp"

namespace socketio {

enum class disconnect_reason {
  transport_close,
  transport_error,
  ping_timeout,
  parse_error,
  forced_close,
  server_namespace_disconnect,  // socket.disconnect() on the server
  client_namespace_disconnect,  // the client left the namespace
  forced_server_close,          // socket.disconnect(true) on the server
  server_shutting_down,
};

std::string_view to_string(disconnect_reason reason) noexcept;

/// The Socket.IO reason for an Engine.IO close.
disconnect_reason from_engine(engineio::close_reason reason) noexcept;

/// A middleware's refusal, sent to the client as CONNECT_ERROR {message, data}.
struct connect_error {
  std::string message;
  std::optional<value> data = std::nullopt;
};

/// Given to an ack callback: `error` is set when the ack did not come in time.
struct ack_result {
  std::optional<std::string> error;
  args values;

  bool ok() const noexcept { return !error; }
};

}  // namespace socketio
