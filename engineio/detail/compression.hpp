#pragma once
// Node's httpCompression for polling answers: gzip or deflate (zlib) when the client accepts it
// and the body is at least `threshold` bytes.

#include <cstddef>

#include "engineio/detail/http.hpp"
#include "engineio/options.hpp"

namespace engineio::detail {

void compress_response(response& res, const request& req, const http_compression_options& opts);

}  // namespace engineio::detail
