#pragma once
/// HTTP content codings: the choice Node makes with `accepts(req).encodings([...])`, and the
/// codings themselves (gzip and deflate through zlib, br through Brotli).

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace engineio {

/// The coding of `offered` the client prefers according to its Accept-Encoding header, as
/// Node's negotiator picks it (q-values first, then the client's order); empty when none of
/// them is acceptable and the body should go as it is.
std::string_view negotiate_encoding(std::string_view accept_encoding,
                                    std::initializer_list<std::string_view> offered);

/// `body` in `coding` ("gzip", "deflate" or "br"); nullopt for another name or on failure.
/// `zlib_level` (0..9, -1 for zlib's default) is for gzip and deflate.
std::optional<std::string> encode_content(std::string_view body, std::string_view coding,
                                          int zlib_level = -1);

}  // namespace engineio
