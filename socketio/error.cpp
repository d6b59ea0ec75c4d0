#include "socketio/error.hpp"

namespace socketio {

std::string_view to_string(disconnect_reason reason) noexcept {
  switch (reason) {
    case disconnect_reason::transport_close:
      return "transport close";
    case disconnect_reason::transport_error:
      return "transport error";
    case disconnect_reason::ping_timeout:
      return "ping timeout";
    case disconnect_reason::parse_error:
      return "parse error";
    case disconnect_reason::forced_close:
      return "forced close";
    case disconnect_reason::server_namespace_disconnect:
      return "server namespace disconnect";
    case disconnect_reason::client_namespace_disconnect:
      return "client namespace disconnect";
    case disconnect_reason::forced_server_close:
      return "forced server close";
    case disconnect_reason::server_shutting_down:
      return "server shutting down";
  }
  return "transport close";
}

disconnect_reason from_engine(engineio::close_reason reason) noexcept {
  switch (reason) {
    case engineio::close_reason::transport_close:
      return disconnect_reason::transport_close;
    case engineio::close_reason::transport_error:
      return disconnect_reason::transport_error;
    case engineio::close_reason::ping_timeout:
      return disconnect_reason::ping_timeout;
    case engineio::close_reason::parse_error:
      return disconnect_reason::parse_error;
    case engineio::close_reason::forced_close:
      return disconnect_reason::forced_close;
  }
  return disconnect_reason::transport_close;
}

}  // namespace socketio
