#include "socketio/parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "socketio/detail/json.hpp"
#include "socketio/detail/msgpack.hpp"

namespace socketio {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// socket.io-parser's isPayloadValid.
bool payload_valid(packet_type type, const std::optional<value>& data) {
  switch (type) {
    case packet_type::connect:
      return !data || data->is_object();
    case packet_type::disconnect:
      return !data;
    case packet_type::connect_error:
      return !data || data->is_string() || data->is_object();
    case packet_type::event:
    case packet_type::binary_event: {
      if (!data || !data->is_array() || data->size() == 0) return false;
      const auto& name = (*data)[0];
      if (name.is_number()) return true;
      return name.is_string() && !is_reserved_event(name.as_string());
    }
    case packet_type::ack:
    case packet_type::binary_ack:
      return data && data->is_array();
  }
  return false;
}

// Replaces {"_placeholder":true,"num":N} with attachment N; false on a bad index.
//
// Node gives every placeholder naming an attachment the same Buffer. A copy per placeholder
// would make 30,000 placeholders on a 1 MB attachment cost 30 GB, and sharing one buffer would
// change the public `binary` (a string held by value). So each attachment is moved into the one
// placeholder that names it, and a second reference is refused: official clients never send one
// (deconstructPacket gives every Buffer its own slot). The rebuilt packet then holds no more
// bytes than its attachments.
bool fill_placeholders(value& v, std::vector<std::string>& attachments, std::vector<bool>& taken,
                       std::size_t depth = 0) {
  if (depth > detail::max_json_depth) return false;
  if (v.is_object()) {
    if (v["_placeholder"].as_bool() && v.contains("num")) {
      const auto& num = v["num"];
      if (!num.is_number() || num.as_double() < 0 ||
          num.as_double() >= static_cast<double>(attachments.size()) ||
          num.as_double() != static_cast<double>(num.as_int())) {
        return false;
      }
      auto n = static_cast<std::size_t>(num.as_int());
      if (taken[n]) return false;
      taken[n] = true;
      v = binary{std::move(attachments[n])};
      return true;
    }
    for (auto& [key, item] : v.as_object()) {
      if (!fill_placeholders(item, attachments, taken, depth + 1)) return false;
    }
  } else if (v.is_array()) {
    for (auto& item : v.as_array()) {
      if (!fill_placeholders(item, attachments, taken, depth + 1)) return false;
    }
  }
  return true;
}

}  // namespace

decoder::status decoder::fail(std::string message) {
  error_ = std::move(message);
  reconstructing_ = false;
  attachments_.clear();
  return status::error;
}

decoder::status decoder::add_text(std::string_view str) {
  if (kind_ == parser_kind::msgpack) return fail("invalid packet format");
  if (reconstructing_) return fail("got plaintext data when reconstructing a packet");
  packet_ = packet{};
  if (str.empty() || !is_digit(str[0]) || str[0] > '6') return fail("unknown packet type");
  packet_.type = static_cast<packet_type>(str[0] - '0');
  std::size_t i = 1;

  expected_attachments_ = 0;
  if (packet_.type == packet_type::binary_event || packet_type::binary_ack == packet_.type) {
    auto dash = str.find('-', i);
    if (dash == std::string_view::npos) return fail("Illegal attachments");
    auto digits = str.substr(i, dash - i);
    auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), expected_attachments_);
    bool whole = !digits.empty() && end == digits.data() + digits.size();
    if (whole &&
        (ec == std::errc::result_out_of_range || expected_attachments_ > max_attachments_)) {
      return fail("too many attachments");
    }
    if (!whole || ec != std::errc{} || expected_attachments_ == 0) {
      return fail("Illegal attachments");
    }
    i = dash + 1;
  }

  if (i < str.size() && str[i] == '/') {
    auto comma = str.find(',', i);
    auto end = comma == std::string_view::npos ? str.size() : comma;
    packet_.nsp = std::string(str.substr(i, end - i));
    i = comma == std::string_view::npos ? str.size() : comma + 1;
  }

  if (i < str.size() && is_digit(str[i])) {
    auto start = i;
    while (i < str.size() && is_digit(str[i])) ++i;
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(str.data() + start, str.data() + i, id);
    if (ec != std::errc{}) return fail("invalid payload");
    packet_.id = id;
  }

  if (i < str.size()) {
    packet_.data = detail::parse_json(str.substr(i));
    if (!packet_.data) return fail("invalid payload");
  }
  if (!payload_valid(packet_.type, packet_.data)) return fail("invalid payload");

  if (packet_.type == packet_type::binary_event || packet_.type == packet_type::binary_ack) {
    reconstructing_ = true;
    attachments_.clear();
    return status::waiting;
  }
  return status::complete;
}

decoder::status decoder::add_binary(std::string_view bytes) {
  if (kind_ == parser_kind::msgpack) return decode_msgpack(bytes);
  if (!reconstructing_) return fail("got binary data when not reconstructing a packet");
  attachments_.emplace_back(bytes);
  if (attachments_.size() < expected_attachments_) return status::waiting;
  reconstructing_ = false;
  return finish();
}

decoder::status decoder::finish() {
  std::vector<bool> taken(attachments_.size());
  if (packet_.data && !fill_placeholders(*packet_.data, attachments_, taken))
    return fail("illegal attachments");
  attachments_.clear();
  return status::complete;
}

// socket.io-msgpack-parser's checkPacket. It does not look at event names: an event without a
// usable name passes here and is ignored by the socket, as Node's server ignores it.
decoder::status decoder::decode_msgpack(std::string_view bytes) {
  auto decoded = detail::parse_msgpack(bytes);
  if (!decoded || !decoded->is_object()) return fail("invalid packet format");
  const auto& type = (*decoded)["type"];
  if (type.type() != value::kind::integer || type.as_int() < 0 || type.as_int() > 4) {
    return fail("invalid packet type");
  }
  if (!(*decoded)["nsp"].is_string()) return fail("invalid namespace");
  // A present id must be an integer (nil is refused, as Node does); negative ids, which Node
  // accepts and echoes, are refused too: ack ids here are unsigned.
  const auto& id = (*decoded)["id"];
  if (decoded->contains("id") && (id.type() != value::kind::integer || id.as_int() < 0)) {
    return fail("invalid packet id");
  }

  packet_ = packet{};
  packet_.type = static_cast<packet_type>(type.as_int());
  packet_.nsp = (*decoded)["nsp"].as_string();
  if (!id.is_null()) packet_.id = static_cast<std::uint64_t>(id.as_int());
  if (decoded->contains("data") &&
      !(packet_.type == packet_type::connect && (*decoded)["data"].is_null())) {
    packet_.data = (*decoded)["data"];
  }
  bool is_event = packet_.type == packet_type::event;
  bool valid = is_event ? packet_.data && packet_.data->is_array()
                        : payload_valid(packet_.type, packet_.data);
  if (!valid) return fail("invalid payload");
  return status::complete;
}

}  // namespace socketio
