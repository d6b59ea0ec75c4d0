#include "socketio/packet.hpp"

#include "socketio/detail/json.hpp"

namespace socketio {

encoded_packet encode(const packet& p) {
  std::string json;
  std::vector<std::string> attachments;
  if (p.data) detail::append_json(json, *p.data, &attachments);

  auto type = p.type;
  if (!attachments.empty() && type == packet_type::event) type = packet_type::binary_event;
  if (!attachments.empty() && type == packet_type::ack) type = packet_type::binary_ack;

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

  encoded_packet out{engineio::make_shared_bytes(std::move(text)), {}};
  out.attachments.reserve(attachments.size());
  for (auto& bytes : attachments)
    out.attachments.push_back(engineio::make_shared_bytes(std::move(bytes)));
  return out;
}

}  // namespace socketio
