#pragma once
// Node's httpCompression for polling answers: gzip or deflate (zlib) when the client accepts it
// and the body is at least `threshold` bytes.

#include <cstddef>

#include "engineio/detail/http.hpp"

namespace engineio::detail {

void compress_response(response& res, const request& req, std::size_t threshold);

}  // namespace engineio::detail
