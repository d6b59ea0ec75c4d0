// MessagePack decoding (socketio/detail/msgpack.hpp parse_msgpack) and the Socket.IO decoder
// in msgpack mode (socket.io-msgpack-parser: one binary message per packet).
//
// Input byte 0: bit 0 picks parse_msgpack (then encode the value again with append_msgpack and
// parse that: it must parse and encode to the same bytes) or
// decoder(parser_kind::msgpack).add_binary; bits 1-7 pick a smaller depth limit for parse_msgpack
// when not 0.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "socketio/detail/msgpack.hpp"
#include "socketio/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) {
    socketio::decoder d(socketio::parser_kind::msgpack);
    auto s = d.add_binary(in);
    if (s == socketio::decoder::status::complete) {
      auto p = d.take();
      (void)p;
    } else {
      FUZZ_CHECK(s == socketio::decoder::status::error);
    }
    return 0;
  }
  std::size_t depth = data[0] >> 1;
  if (depth == 0) depth = socketio::detail::max_json_depth;
  auto v = socketio::detail::parse_msgpack(in, depth);
  if (!v) return 0;
  std::string again;
  socketio::detail::append_msgpack(again, *v);
  auto w = socketio::detail::parse_msgpack(again, depth);
  FUZZ_CHECK(w.has_value());
  std::string twice;
  socketio::detail::append_msgpack(twice, *w);
  FUZZ_CHECK(twice == again);
  return 0;
}
