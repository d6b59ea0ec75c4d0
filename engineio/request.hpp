#pragma once
/// The parts of an HTTP request that the layers above Engine.IO may look at (Socket.IO's
/// handshake, `allow_request`), copied out of the parser so they outlive the connection.

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engineio/string_pairs.hpp"

namespace engineio {

using query_params = string_pairs;

/// Decodes a query string (without '?'): percent-escapes, and '+' as a space, as Node's
/// URLSearchParams; pairs in order.
query_params decode_query(std::string_view query);

/// What engine middlewares attach to a request for the layers above (Node's `req.session`,
/// `req.user`). A session keeps its handshake's: a Socket.IO socket reads them through
/// `s.conn()->request()`.
using request_locals = std::map<std::string, std::any, std::less<>>;

struct request_info {
  std::string method;
  std::string url;  // the request target as sent: path and query
  /// Header names lower-cased, as Node's `req.headers`; repeated headers stay separate.
  string_pairs headers;
  /// Decoded query parameters in order.
  query_params query;
  std::string remote_address;
  bool secure = false;
  /// Null until a middleware sets a local: most requests carry none.
  std::shared_ptr<request_locals> locals{};

  /// First header of that (lower-case) name.
  std::optional<std::string_view> header(std::string_view name) const;
  /// Query parameter of that name (the last one when repeated).
  std::optional<std::string_view> query_param(std::string_view name) const;
  /// Attaches `value` as `name` (a middleware's `req.session = ...`).
  void set_local(std::string name, std::any value);
  /// The local `name` if it holds a `T`, else null.
  template <typename T>
  const T* local(std::string_view name) const {
    if (!locals) return nullptr;
    auto it = locals->find(name);
    return it == locals->end() ? nullptr : std::any_cast<T>(&it->second);
  }
};

/// Hears of an answer about to go out for `request` and may add headers to it.
using headers_listener = std::function<void(string_pairs& headers, const request_info& request)>;

}  // namespace engineio
