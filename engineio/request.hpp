#pragma once
/// The parts of an HTTP request that the layers above Engine.IO may look at (Socket.IO's
/// handshake, `allow_request`), copied out of the parser so they outlive the connection.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "engineio/string_pairs.hpp"

namespace engineio {

using query_params = string_pairs;

/// Decodes a query string (without '?'): percent-escapes, and '+' as a space, as Node's
/// URLSearchParams; pairs in order.
query_params decode_query(std::string_view query);

struct request_info {
  std::string method;
  std::string url;  // the request target as sent: path and query
  /// Header names lower-cased, as Node's `req.headers`; repeated headers stay separate.
  string_pairs headers;
  /// Decoded query parameters in order.
  query_params query;
  std::string remote_address;
  bool secure = false;

  /// First header of that (lower-case) name.
  std::optional<std::string_view> header(std::string_view name) const;
  /// Query parameter of that name (the last one when repeated).
  std::optional<std::string_view> query_param(std::string_view name) const;
};

/// Hears of an answer about to go out for `request` and may add headers to it.
using headers_listener = std::function<void(string_pairs& headers, const request_info& request)>;

}  // namespace engineio
