#include "engineio/detail/compression.hpp"

#include <zlib.h>

#include <optional>
#include <string>
#include <string_view>

namespace engineio::detail {
namespace {

enum class coding { gzip, deflate };

// Picks gzip, else deflate, from Accept-Encoding, honouring q=0 refusals and "*".
std::optional<coding> negotiate(std::string_view accept) {
  bool gzip = false, deflate = false, any = false;
  bool gzip_refused = false, deflate_refused = false;
  while (!accept.empty()) {
    auto comma = accept.find(',');
    auto item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    auto semi = item.find(';');
    auto name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    bool refused = semi != std::string_view::npos &&
                   item.substr(semi).find("q=0") != std::string_view::npos &&
                   item.substr(semi).find_first_of("123456789") == std::string_view::npos;
    if (name == "gzip") (refused ? gzip_refused : gzip) = true;
    if (name == "deflate") (refused ? deflate_refused : deflate) = true;
    if (name == "*" && !refused) any = true;
  }
  if ((gzip || any) && !gzip_refused) return coding::gzip;
  if ((deflate || any) && !deflate_refused) return coding::deflate;
  return std::nullopt;
}

std::optional<std::string> deflate_body(std::string_view input, coding kind) {
  z_stream zs{};
  // windowBits 15 + 16 writes a gzip wrapper; plain 15 the zlib wrapper Node's "deflate" uses.
  int window_bits = kind == coding::gzip ? 15 + 16 : 15;
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(input.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace

void compress_response(response& res, const request& req, std::size_t threshold) {
  if (res.body().size() < threshold) return;
  auto kind = negotiate(req[http::field::accept_encoding]);
  if (!kind) return;
  auto compressed = deflate_body(res.body(), *kind);
  if (!compressed) return;
  res.body() = std::move(*compressed);
  res.set(http::field::content_encoding, *kind == coding::gzip ? "gzip" : "deflate");
}

}  // namespace engineio::detail
