#pragma once
// A file whose bytes are built into the program (see cmake/EmbedFiles.cmake).

#include <span>
#include <string_view>

namespace socketio::detail {

struct embedded_file {
  std::string_view name;
  std::string_view bytes;
};

/// socket.io-client's dist folder (socket.io.js, .min.js, .esm.min.js, .msgpack.min.js and
/// their maps), from the npm package in socketio/client_bundle.
std::span<const embedded_file> client_bundle_files();

}  // namespace socketio::detail
