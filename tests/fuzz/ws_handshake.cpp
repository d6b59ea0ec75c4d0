// The WebSocket handshake checks (engineio/detail/websocket_handshake.hpp) over an upgrade
// request whose fields come from the input: byte 0 picks the method, the HTTP version and
// whether permessage-deflate is on; the rest, split at '\n', gives Upgrade, Connection,
// Sec-WebSocket-Key, -Version, -Protocol and -Extensions (an absent part leaves the field out).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engineio/detail/websocket_handshake.hpp"
#include "fuzz_check.hpp"

namespace http = engineio::detail::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  engineio::detail::request req{(data[0] & 1) ? http::verb::post : http::verb::get,
                                "/engine.io/?EIO=4&transport=websocket", (data[0] & 2) ? 10u : 11u};
  constexpr std::array fields{http::field::upgrade,
                              http::field::connection,
                              http::field::sec_websocket_key,
                              http::field::sec_websocket_version,
                              http::field::sec_websocket_protocol,
                              http::field::sec_websocket_extensions};
  for (auto field : fields) {
    if (in.empty()) break;
    auto end = in.find('\n');
    req.set(field, in.substr(0, end));
    in = end == std::string_view::npos ? std::string_view{} : in.substr(end + 1);
  }
  std::optional<engineio::per_message_deflate_options> deflate;
  if ((data[0] & 4) != 0) {
    deflate.emplace();
    if ((data[0] & 8) != 0) deflate->server_max_window_bits = 10;
    if ((data[0] & 16) != 0) deflate->client_max_window_bits = 12;
  }
  (void)engineio::detail::is_upgrade_request(req);
  if (auto refusal = engineio::detail::websocket_refusal(req, deflate)) {
    FUZZ_CHECK(!refusal->keep_alive() && !refusal->body().empty());
    return 0;
  }
  // An accepted request's first subprotocol is a token: it goes back in the 101 as it is.
  auto subprotocol = engineio::detail::first_subprotocol(req);
  for (char c : subprotocol) FUZZ_CHECK(c > ' ' && c != ',' && c != '"' && c < 0x7f);
  return 0;
}
