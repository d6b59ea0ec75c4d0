// Messages from other nodes of a Redis adapter (socketio/redis/detail/wire.hpp): `decode`
// (JSON when the message starts with '{', else MessagePack), then what the classic and sharded
// adapters read out of a decoded message: packet_from, options_from and socket_from on the
// value and on its "packet", "opts" and "sockets" members, and has_binary. The value is then
// written again in both encodings, which must decode when it is an object (as messages are).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fuzz_check.hpp"
#include "socketio/redis/detail/wire.hpp"
#include "socketio/socketio.hpp"

namespace {

socketio::namespace_& root_namespace() {
  static auto* io = new sio::server();  // never started: socket_from only needs a namespace_&
  static auto& nsp = io->of("/");
  return nsp;
}

void read_out(const socketio::value& v) {
  namespace d = socketio::redis::detail;
  if (auto p = d::packet_from(v)) (void)d::packet_value(*p);
  auto opts = d::options_from(v);
  (void)d::options_value(opts, true);
  (void)d::has_binary(v);
  if (v.is_object() && v.contains("handshake")) {
    auto s = d::socket_from(root_namespace(), v);
    (void)d::socket_value(s);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = socketio::redis::detail;
  (void)root_namespace();
  auto v = d::decode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!v) return 0;
  read_out(*v);
  for (const char* member : {"packet", "opts", "data"}) read_out((*v)[member]);
  for (const auto& s : (*v)["sockets"].as_array()) read_out(s);
  // Messages are objects; decode's rule ('{' means JSON) holds for both encodings of one (a
  // MessagePack map starts with 0x80-0x8f, 0xde or 0xdf), not for every value (123 is '{').
  if (v->is_object()) {
    FUZZ_CHECK(d::decode(d::json(*v)).has_value());
    FUZZ_CHECK(d::decode(d::msgpack(*v)).has_value());
  }
  return 0;
}
