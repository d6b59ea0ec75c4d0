#include "engineio/error.hpp"

namespace engineio {

std::string_view default_message(request_error error) noexcept {
  switch (error) {
    case request_error::unknown_transport:
      return "Transport unknown";
    case request_error::unknown_sid:
      return "Session ID unknown";
    case request_error::bad_handshake_method:
      return "Bad handshake method";
    case request_error::bad_request:
      return "Bad request";
    case request_error::forbidden:
      return "Forbidden";
    case request_error::unsupported_protocol_version:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

unsigned http_status(request_error error) noexcept {
  return error == request_error::forbidden ? 403 : 400;
}

std::string_view to_string(close_reason reason) noexcept {
  switch (reason) {
    case close_reason::transport_close:
      return "transport close";
    case close_reason::transport_error:
      return "transport error";
    case close_reason::ping_timeout:
      return "ping timeout";
    case close_reason::parse_error:
      return "parse error";
    case close_reason::forced_close:
      return "forced close";
  }
  return "transport error";
}

}  // namespace engineio
