#include "socketio/redis/detail/wire.hpp"

#include <algorithm>
#include <random>

#include "socketio/detail/json.hpp"
#include "socketio/detail/msgpack.hpp"

namespace socketio::redis::detail {
namespace {

array room_list(const std::set<room>& rooms) {
  return array(rooms.begin(), rooms.end());
}

// Rooms may arrive as numbers from a Node node (`socket.join(42)`); they are keys as strings.
std::set<room> rooms_from(const value& v) {
  std::set<room> out;
  for (const auto& r : v.as_array()) {
    if (r.is_string()) {
      out.insert(r.as_string());
    } else if (r.is_number()) {
      out.insert(r.to_json());
    }
  }
  return out;
}

}  // namespace

std::string random_id(std::size_t length) {
  static constexpr std::string_view chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937 engine{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, chars.size() - 1);
  std::string out(length, ' ');
  for (auto& c : out) c = chars[pick(engine)];
  return out;
}

value packet_value(const packet& p) {
  auto type = p.type == packet_type::binary_event ? packet_type::event
              : p.type == packet_type::binary_ack ? packet_type::ack
                                                  : p.type;
  object out;
  out.reserve(4);  // one allocation; also keeps GCC 12 at -O3 from a false -Wstringop-overflow
  out.emplace_back("type", static_cast<int>(type));
  if (p.data) out.emplace_back("data", *p.data);
  out.emplace_back("nsp", p.nsp);
  if (p.id) out.emplace_back("id", *p.id);
  return out;
}

std::optional<packet> packet_from(const value& v) {
  if (!v.is_object() || !v["type"].is_number()) return std::nullopt;
  auto type = v["type"].as_int();
  if (type < 0 || type > 6) return std::nullopt;
  packet p;
  p.type = static_cast<packet_type>(type);
  p.nsp = v.contains("nsp") && v["nsp"].is_string() ? v["nsp"].as_string() : "/";
  if (v.contains("data")) p.data = v["data"];
  return p;
}

bool has_binary(const value& v) {
  switch (v.type()) {
    case value::kind::binary:
      return true;
    case value::kind::array:
      return std::ranges::any_of(v.as_array(), [](const value& e) { return has_binary(e); });
    case value::kind::object:
      return std::ranges::any_of(v.as_object(),
                                 [](const auto& kv) { return has_binary(kv.second); });
    default:
      return false;
  }
}

value options_value(const broadcast_options& opts, bool with_flags) {
  object out{{"rooms", room_list(opts.rooms)}, {"except", room_list(opts.except)}};
  if (!with_flags) return out;
  // Only the flags that were set, as Node's BroadcastOperator passes them.
  object flags;
  if (opts.flags.volatile_) flags.emplace_back("volatile", true);
  if (!opts.flags.compress) flags.emplace_back("compress", false);
  if (opts.flags.timeout) flags.emplace_back("timeout", opts.flags.timeout->count());
  out.emplace_back("flags", std::move(flags));
  return out;
}

broadcast_options options_from(const value& v) {
  broadcast_options opts;
  opts.rooms = rooms_from(v["rooms"]);
  opts.except = rooms_from(v["except"]);
  const auto& flags = v["flags"];
  opts.flags.volatile_ = flags["volatile"].truthy();
  opts.flags.compress = !flags.contains("compress") || flags["compress"].truthy();
  return opts;
}

std::optional<value> decode(std::string_view bytes) {
  if (bytes.empty()) return std::nullopt;
  if (bytes[0] == '{') return socketio::detail::parse_json(bytes);
  return socketio::detail::parse_msgpack(bytes);
}

std::string json(const value& v) {
  return socketio::detail::to_json(v);
}

std::string msgpack(const value& v) {
  std::string out;
  socketio::detail::append_msgpack(out, v);
  return out;
}

value socket_value(const remote_socket& s) {
  return object{{"id", s.id()},
                {"handshake", s.handshake().to_value()},
                {"rooms", room_list(s.rooms())},
                {"data", s.data()}};
}

remote_socket socket_from(namespace_& nsp, const value& v) {
  const auto& h = v["handshake"];
  struct handshake hs;
  hs.headers = h["headers"];
  hs.time = h["time"].as_string();
  hs.address = h["address"].as_string();
  hs.xdomain = h["xdomain"].as_bool();
  hs.secure = h["secure"].as_bool();
  hs.issued = h["issued"].as_int();
  hs.url = h["url"].as_string();
  hs.query = h["query"];
  hs.auth = h["auth"];
  return remote_socket(nsp, v["id"].as_string(), std::move(hs), rooms_from(v["rooms"]), v["data"]);
}

}  // namespace socketio::redis::detail
