#pragma once
/// Errors with the exact codes, messages and close reasons of Node's engine.io.

#include <string_view>

namespace engineio {

/// Why a request could not reach a session (Node's `Server.errors`).
enum class request_error {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

/// Node's `Server.errorMessages`.
std::string_view default_message(request_error error) noexcept;

/// 403 for `forbidden`, 400 for everything else, as Node's `abortRequest`.
unsigned http_status(request_error error) noexcept;

/// Why a session closed; `to_string` gives the reason Node passes to the `close` event.
enum class close_reason {
  transport_close,
  transport_error,
  ping_timeout,
  parse_error,
  forced_close,
};

std::string_view to_string(close_reason reason) noexcept;

}  // namespace engineio
