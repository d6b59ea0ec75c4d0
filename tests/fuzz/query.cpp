// Query and form decoding (engineio/request.hpp decode_query), as the router applies it to a
// request target (the part after the first '?', as router.cpp's parse_query), then the lookups
// the engine does (EIO, transport, sid, j); and the JSONP form body `d=...`
// (engineio/detail/jsonp.hpp decode_jsonp_body), which goes through the same decoder.
// Input byte 0, bit 0: a request target, or a JSONP POST body.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engineio/detail/jsonp.hpp"
#include "engineio/detail/utf8.hpp"
#include "engineio/request.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) {
    if (auto d = engineio::detail::decode_jsonp_body(in))
      FUZZ_CHECK(engineio::detail::valid_utf8(*d));
    return 0;
  }
  auto question = in.find('?');
  if (question == std::string_view::npos) return 0;
  auto query = in.substr(question + 1);
  engineio::request_info info;
  info.url = std::string(in);
  info.query = engineio::decode_query(query);
  FUZZ_CHECK(info.query.size() <=
             static_cast<std::size_t>(std::count(query.begin(), query.end(), '&')) + 1);
  for (auto [key, value] : info.query) {
    FUZZ_CHECK(engineio::detail::valid_utf8(key));
    FUZZ_CHECK(engineio::detail::valid_utf8(value));
  }
  for (std::string_view name : {"EIO", "transport", "sid", "j", "b64"}) {
    if (auto v = info.query_param(name)) FUZZ_CHECK(engineio::detail::valid_utf8(*v));
  }
  return 0;
}
