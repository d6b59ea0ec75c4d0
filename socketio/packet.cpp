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

// The text frame is `head + id + tail`: the id is the only part a broadcast with acks changes.
struct json_parts {
  std::string head, tail;
  std::vector<std::string> attachments;
};

json_parts split_json(const packet& p) {
  json_parts out;
  if (p.data) detail::append_json(out.tail, *p.data, &out.attachments);

  // The type follows the data, as Node's encoder decides by hasBinary: a binary type with no
  // binary left goes as its plain type, since every decoder refuses a count of 0.
  auto type = p.type;
  bool binary = !out.attachments.empty();
  if (type == packet_type::event || type == packet_type::binary_event)
    type = binary ? packet_type::binary_event : packet_type::event;
  if (type == packet_type::ack || type == packet_type::binary_ack)
    type = binary ? packet_type::binary_ack : packet_type::ack;

  out.head += '4';
  out.head += static_cast<char>('0' + static_cast<int>(type));
  if (type == packet_type::binary_event || type == packet_type::binary_ack) {
    out.head += std::to_string(out.attachments.size());
    out.head += '-';
  }
  if (p.nsp != "/") {
    out.head += p.nsp;
    out.head += ',';
  }
  return out;
}

std::string join_json(const std::string& head, std::optional<std::uint64_t> id,
                      const std::string& tail) {
  std::string text;
  auto digits = id ? std::to_string(*id) : std::string();
  text.reserve(head.size() + digits.size() + tail.size());
  text += head;
  text += digits;
  text += tail;
  return text;
}

// socket.io-msgpack-parser sends the packet object itself: {type, nsp, data, id}, the id last.
std::string msgpack_without_id(const packet& p) {
  object fields{{"type", static_cast<int>(p.type)}, {"nsp", p.nsp}};
  if (p.data) fields.emplace_back("data", *p.data);
  std::string bytes;
  detail::append_msgpack(bytes, value(std::move(fields)));
  return bytes;
}

// The map has at most four fields, so its header is the one byte 0x80 | count.
std::string msgpack_with_id(std::string bytes, std::uint64_t id) {
  bytes[0] = static_cast<char>(static_cast<unsigned char>(bytes[0]) + 1);
  detail::append_msgpack(bytes, value("id"));
  detail::append_msgpack(bytes, value(static_cast<std::int64_t>(id)));
  return bytes;
}

encoded_packet binary_frame(std::string bytes) {
  encoded_packet out;
  out.frames.push_back({engineio::make_shared_bytes(std::move(bytes)), true});
  return out;
}

}  // namespace

encoded_packet encode(const packet& p, parser_kind kind) {
  if (kind == parser_kind::msgpack) {
    auto bytes = msgpack_without_id(p);
    return binary_frame(p.id ? msgpack_with_id(std::move(bytes), *p.id) : std::move(bytes));
  }
  auto parts = split_json(p);
  encoded_packet out;
  out.frames.reserve(1 + parts.attachments.size());
  out.frames.push_back(
      {engineio::make_shared_bytes(join_json(parts.head, p.id, parts.tail)), false});
  for (auto& bytes : parts.attachments)
    out.frames.push_back({engineio::make_shared_bytes(std::move(bytes)), true});
  return out;
}

numbered_packet::numbered_packet(const packet& p, parser_kind kind) : kind_(kind) {
  if (kind == parser_kind::msgpack) {
    head_ = msgpack_without_id(p);
    return;
  }
  auto parts = split_json(p);
  head_ = std::move(parts.head);
  tail_ = std::move(parts.tail);
  for (auto& bytes : parts.attachments)
    attachments_.push_back({engineio::make_shared_bytes(std::move(bytes)), true});
}

encoded_packet numbered_packet::with_id(std::uint64_t id) const {
  if (kind_ == parser_kind::msgpack) return binary_frame(msgpack_with_id(head_, id));
  encoded_packet out;
  out.frames.reserve(1 + attachments_.size());
  out.frames.push_back({engineio::make_shared_bytes(join_json(head_, id, tail_)), false});
  out.frames.insert(out.frames.end(), attachments_.begin(), attachments_.end());
  return out;
}

}  // namespace socketio
