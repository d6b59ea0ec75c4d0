#pragma once
/// Plain HTTP next to Engine.IO on the same port, where an express app stood beside Node's
/// engine.io: routes answer requests that are not Engine.IO's.
///
/// ```cpp
/// server.route("GET", "/health", [](const eio::http_request&) {
///   return eio::http_response::text(200, "ok");
/// });
/// server.mount("/", eio::static_files("public"));
/// ```
///
/// Order, as in Node where socket.io's client route wraps engine.io, which wraps the app:
/// exact routes first, then the Engine.IO path, then mounts (longest prefix first), then 404.
/// Handlers run on the shard thread that read the request; they must not block for long.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engineio/request.hpp"

namespace engineio {

struct http_request : request_info {
  /// The target's path, still percent-encoded (no query).
  std::string path;
  std::string body;
};

struct http_response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  http_response& set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  /// A response with a body and its Content-Type.
  static http_response text(unsigned status, std::string body,
                            std::string content_type = "text/plain; charset=utf-8") {
    http_response res{status, {}, std::move(body)};
    res.set("Content-Type", std::move(content_type));
    return res;
  }
};

/// Called on a shard thread; HEAD requests get the same answer without its body.
using http_handler = std::function<http_response(const http_request&)>;

}  // namespace engineio
