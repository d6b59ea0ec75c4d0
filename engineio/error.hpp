#pragma once
/// Errors with the exact codes, messages and close reasons of Node's engine.io.

#include <functional>
#include <string_view>

#include "engineio/request.hpp"

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

/// A request refused before it reached a session: Node's `connection_error` event.
struct connection_error {
  request_info request;
  request_error code;
  /// Node's context object as name/value pairs: `transport`, `sid`, `method`, `protocol`, or a
  /// `name` such as TRANSPORT_MISMATCH with the values it concerns.
  string_pairs context;

  std::string_view message() const noexcept { return default_message(code); }
};

using connection_error_listener = std::function<void(const connection_error&)>;

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
