// Socket.IO packet decoder with the default (JSON) parser (socketio/parser.hpp): a text packet,
// then its binary attachments, the placeholders replaced by them; then further packets.
//
// Input: byte 0 is the separator; the rest is split at it into messages. As on a connection,
// a message goes to add_binary while the decoder waits for attachments, else to add_text; the
// first error ends the "connection". A complete packet is encoded again (socketio::encode) and
// that must decode to the same type, namespace and id.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "socketio/packet.hpp"
#include "socketio/parser.hpp"

namespace {

using socketio::packet_type;

packet_type plain(packet_type t) {
  if (t == packet_type::binary_event) return packet_type::event;
  if (t == packet_type::binary_ack) return packet_type::ack;
  return t;
}

void check_round_trip(const socketio::packet& p) {
  auto encoded = socketio::encode(p);
  FUZZ_CHECK(!encoded.frames.empty());
  const auto& text = *encoded.frames[0].bytes;
  FUZZ_CHECK(!text.empty() && text[0] == '4');
  socketio::decoder again;
  auto s = again.add_text(std::string_view(text).substr(1));
  for (std::size_t i = 1; i < encoded.frames.size(); ++i) {
    FUZZ_CHECK(s == socketio::decoder::status::waiting);
    s = again.add_binary(*encoded.frames[i].bytes);
  }
  if (s != socketio::decoder::status::complete) {
    std::fprintf(stderr, "re-encoded packet refused (%s): %s\n", again.error().c_str(),
                 text.c_str());
  }
  FUZZ_CHECK(s == socketio::decoder::status::complete);
  auto q = again.take();
  FUZZ_CHECK(plain(q.type) == plain(p.type));
  FUZZ_CHECK(q.nsp == p.nsp);
  FUZZ_CHECK(q.id == p.id);
  FUZZ_CHECK(q.data.has_value() == p.data.has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  char separator = static_cast<char>(data[0]);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  socketio::decoder d;
  auto status = socketio::decoder::status::complete;
  while (true) {
    auto at = rest.find(separator);
    auto message = rest.substr(0, at);
    status =
        status == socketio::decoder::status::waiting ? d.add_binary(message) : d.add_text(message);
    if (status == socketio::decoder::status::error) {
      FUZZ_CHECK(!d.error().empty());
      return 0;
    }
    if (status == socketio::decoder::status::complete) check_round_trip(d.take());
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + 1);
  }
  return 0;
}
