#include "engineio/detail/compression.hpp"

#include "engineio/content_coding.hpp"

namespace engineio::detail {

void compress_response(response& res, const request& req, const http_compression_options& opts) {
  if (res.body().size() < opts.threshold) return;
  auto coding = negotiate_encoding(req[http::field::accept_encoding], {"gzip", "deflate"});
  if (coding.empty()) return;
  auto compressed = encode_content(res.body(), coding, opts.level);
  if (!compressed) return;
  res.body() = std::move(*compressed);
  res.set(http::field::content_encoding, coding);
}

}  // namespace engineio::detail
