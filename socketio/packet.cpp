#include "socketio/packet.hpp"

#include <algorithm>
#include <array>

#include "socketio/detail/json.hpp"
#include "socketio/detail/msgpack.hpp"

namespace socketio {

bool is_reserved_event(std::string_view name) noexcept {
  constexpr std::array<std::string_view, 6> reserved{
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
  return std::find(reserved.begin(), reserved.end(), name) != reserved.end();
}

namespace {

encoded_packet encode_json(const packet& p) {
  std::string json;
  std::vector<std::string> attachments;
  if (p.data) detail::append_json(json, *p.data, &attachments);

  // The type follows the data, as Node's encoder decides by hasBinary: a binary type with no
  // binary left goes as its plain type, since every decoder refuses a count of 0.
  auto type = p.type;
  bool binary = !attachments.empty();
  if (type == packet_type::event || type == packet_type::binary_event)
    type = binary ? packet_type::binary_event : packet_type::event;
  if (type == packet_type::ack || type == packet_type::binary_ack)
    type = binary ? packet_type::binary_ack : packet_type::ack;

  std::string text = "4";
  text += static_cast<char>('0' + static_cast<int>(type));
  if (type == packet_type::binary_event || type == packet_type::binary_ack) {
    text += std::to_string(attachments.size());
    text += '-';
  }
  if (p.nsp != "/") {
    text += p.nsp;
    text += ',';
  }
  if (p.id) text += std::to_string(*p.id);
  text += json;

  encoded_packet out;
  out.frames.reserve(1 + attachments.size());
  out.frames.push_back({engineio::make_shared_bytes(std::move(text)), false});
  for (auto& bytes : attachments)
    out.frames.push_back({engineio::make_shared_bytes(std::move(bytes)), true});
  return out;
}

// socket.io-msgpack-parser sends the packet object itself: {type, nsp, data, id}.
encoded_packet encode_msgpack(const packet& p) {
  object fields{{"type", static_cast<int>(p.type)}, {"nsp", p.nsp}};
  if (p.data) fields.emplace_back("data", *p.data);
  if (p.id) fields.emplace_back("id", static_cast<std::int64_t>(*p.id));
  std::string bytes;
  detail::append_msgpack(bytes, value(std::move(fields)));
  encoded_packet out;
  out.frames.push_back({engineio::make_shared_bytes(std::move(bytes)), true});
  return out;
}

}  // namespace

encoded_packet encode(const packet& p, parser_kind kind) {
  return kind == parser_kind::json ? encode_json(p) : encode_msgpack(p);
}

}  // namespace socketio
