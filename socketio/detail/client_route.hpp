#pragma once
// Node's serveClient: the official client bundle at <path>socket.io.js and its siblings, with
// the ETag of the version, 304 to a matching If-None-Match, and br/gzip/deflate as negotiated.

#include <string>

#include "engineio/server.hpp"

namespace socketio::detail {

/// Adds one route per bundled file under `path` (Socket.IO's path, with its trailing slash).
void serve_client(engineio::server& engine, const std::string& path);

}  // namespace socketio::detail
