#pragma once
/// Static files for `server.mount(prefix, static_files(dir))`: what express.static gives the
/// classic chat, for the pages and assets beside a Socket.IO server.

#include <chrono>
#include <filesystem>
#include <string>

#include "engineio/http_route.hpp"

namespace engineio {

struct static_options {
  /// Served for a path that names a directory (with its trailing slash).
  std::string index = "index.html";
  /// Cache-Control: public, max-age=N; 0 (express's default) makes browsers revalidate, which
  /// the ETag and Last-Modified answer with a 304.
  std::chrono::seconds max_age{0};
};

/// Answers GET and HEAD with the file under `root` named by the request's path (relative to
/// the mount), with its MIME type, ETag and Last-Modified, and 304 to a matching conditional
/// request. Anything else is a 404, as express.static falls through to one: other methods,
/// missing files, dotfiles, malformed escapes, NUL bytes and any `..` segment, so no path
/// reaches outside `root`. A directory without its trailing slash is redirected (301).
/// Files are read when asked for; this is for a site's assets, not for large downloads.
http_handler static_files(std::filesystem::path root, static_options opts = {});

/// The Content-Type for a file name's extension ("text/html; charset=utf-8", ...).
std::string mime_type(std::string_view filename);

}  // namespace engineio
