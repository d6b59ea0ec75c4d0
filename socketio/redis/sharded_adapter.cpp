// The sharded Redis adapter: the protocol of @socket.io/redis-adapter's ShardedRedisAdapter, a
// ClusterAdapter over Redis 7 sharded pub/sub.
//
// Every message is {uid, nsp, type, data} on `<prefix>#<nsp>#` (or `<prefix>#<nsp>#<room>#` for a
// broadcast to one public room, in the dynamic modes); answers go to the requester's
// `<prefix>#<nsp>#<uid>#`. JSON, unless a message that may carry binary does.

#include <fmt/format.h>

#include <boost/asio/post.hpp>

#include <map>
#include <mutex>

#include "socketio/namespace.hpp"
#include "socketio/redis/adapter.hpp"
#include "socketio/redis/detail/handler_guard.hpp"
#include "socketio/redis/detail/requests.hpp"
#include "socketio/redis/detail/wire.hpp"
#include "socketio/server.hpp"

namespace socketio::redis {
namespace {

using detail::decode;
using mode = sharded_adapter_options::subscription_mode;

enum class message_type {
  initial_heartbeat = 1,
  heartbeat = 2,
  broadcast = 3,
  sockets_join = 4,
  sockets_leave = 5,
  disconnect_sockets = 6,
  fetch_sockets = 7,
  fetch_sockets_response = 8,
  server_side_emit = 9,
  server_side_emit_response = 10,
  broadcast_client_count = 11,
  broadcast_ack = 12,
};

// A socket id is 20 characters: such rooms stay on the main channel in the dynamic mode.
bool looks_like_socket_id(const room& r) {
  return r.size() == 20;
}

std::string hex_id() {
  static constexpr std::string_view digits = "0123456789abcdef";
  auto raw = detail::random_id(16);
  for (auto& c : raw) c = digits[static_cast<unsigned char>(c) % 16];
  return raw;
}

class sharded_adapter final : public adapter {
 public:
  sharded_adapter(namespace_& nsp, std::shared_ptr<pubsub> redis, sharded_adapter_options opts)
      : adapter(nsp),
        redis_(std::move(redis)),
        opts_(std::move(opts)),
        uid_(hex_id()),
        channel_(opts_.channel_prefix + "#" + nsp.name() + "#"),
        response_channel_(channel_ + uid_ + "#"),
        requests_(redis_->executor()) {
    channel_id_ = redis_->subscribe(channel_, handler(), true);
    response_id_ = redis_->subscribe(response_channel_, handler(), true);
  }

  // The subscriptions go with the adapter; a message already on its way finds them closed.
  ~sharded_adapter() override {
    guard_.close();
    redis_->unsubscribe(channel_, channel_id_, true);
    redis_->unsubscribe(response_channel_, response_id_, true);
    std::lock_guard lock(rooms_mutex_);
    for (const auto& [r, c] : room_channels_) redis_->unsubscribe(dynamic_channel(r), c.id, true);
  }

  void broadcast(const packet& p, const broadcast_options& opts) override {
    if (!opts.flags.local) {
      publish(
          message_type::broadcast,
          object{{"packet", detail::packet_value(p)}, {"opts", detail::options_value(opts, true)}},
          broadcast_channel(opts));
    }
    adapter::broadcast(p, opts);
  }

  void broadcast_with_ack(const packet& p, const broadcast_options& opts,
                          std::function<void(std::size_t)> on_count,
                          std::function<void(value)> on_response) override {
    if (!opts.flags.local) {
      auto id = detail::random_id(16);
      auto unnumbered = p;
      unnumbered.id.reset();
      requests_.wait_acks(id, opts.flags.timeout.value_or(opts_.requests_timeout), on_count,
                          on_response);
      publish(message_type::broadcast, object{{"packet", detail::packet_value(unnumbered)},
                                              {"requestId", id},
                                              {"opts", detail::options_value(opts, true)}});
    }
    adapter::broadcast_with_ack(p, opts, std::move(on_count), std::move(on_response));
  }

  void add_sockets(const broadcast_options& opts, const std::vector<room>& rooms) override {
    adapter::add_sockets(opts, rooms);
    if (opts.flags.local) return;
    publish(message_type::sockets_join, object{{"opts", detail::options_value(opts, true)},
                                               {"rooms", array(rooms.begin(), rooms.end())}});
  }

  void del_sockets(const broadcast_options& opts, const std::vector<room>& rooms) override {
    adapter::del_sockets(opts, rooms);
    if (opts.flags.local) return;
    publish(message_type::sockets_leave, object{{"opts", detail::options_value(opts, true)},
                                                {"rooms", array(rooms.begin(), rooms.end())}});
  }

  void disconnect_sockets(const broadcast_options& opts, bool close) override {
    adapter::disconnect_sockets(opts, close);
    if (opts.flags.local) return;
    publish(message_type::disconnect_sockets,
            object{{"opts", detail::options_value(opts, true)}, {"close", close}});
  }

  void fetch_sockets(const broadcast_options& opts,
                     std::function<void(fetch_result)> done) override {
    auto home = home_executor();
    adapter::fetch_sockets(opts, [this, keep = keep_alive(), opts, home, done](fetch_result local) {
      if (opts.flags.local) return done(std::move(local));
      server_count([this, keep, opts, home, done, local = std::move(local)](std::size_t n) mutable {
        std::size_t expected = n > 0 ? n - 1 : 0;
        if (expected == 0) return done(std::move(local));
        auto id = detail::random_id(16);
        auto state = std::make_shared<fetch_result>(std::move(local));
        auto received = std::make_shared<std::size_t>(0);
        requests_.wait(
            id, opts.flags.timeout.value_or(opts_.requests_timeout),
            [this, keep, state, received, expected, home, done](const value& data) {
              ++*received;
              for (const auto& s : data["sockets"].as_array()) {
                state->sockets.push_back(detail::socket_from(nsp_, s));
              }
              if (*received < expected) return false;
              boost::asio::post(home, [done, state] { done(std::move(*state)); });
              return true;
            },
            [keep, received, expected, home, done] {
              auto message = fmt::format("timeout reached: only {} responses received out of {}",
                                         *received, expected);
              boost::asio::post(home, [done, message] { done({{}, message}); });
            });
        publish(message_type::fetch_sockets,
                object{{"opts", detail::options_value(opts, true)}, {"requestId", id}});
      });
    });
  }

  void server_count(std::function<void(std::size_t)> done) override {
    auto home = home_executor();
    redis_->count_subscribers(
        channel_, [home, done](std::size_t n) { boost::asio::post(home, [done, n] { done(n); }); },
        true);
  }

  void server_side_emit(const args& values, std::function<void(ack_result)> ack) override {
    if (!ack) return publish(message_type::server_side_emit, object{{"packet", array(values)}});
    server_count([this, keep = keep_alive(), values, ack](std::size_t n) {
      std::size_t expected = n > 0 ? n - 1 : 0;
      if (expected == 0) return ack({std::nullopt, {}});
      auto id = detail::random_id(16);
      auto home = home_executor();
      requests_.wait_replies(id, opts_.requests_timeout, expected, "packet", home, ack);
      publish(message_type::server_side_emit, object{{"requestId", id}, {"packet", array(values)}});
    });
  }

 protected:
  // Dynamic modes: a channel per room that exists here, on any shard.
  void room_created(const room& r, bool own_id) override {
    if (!separate_channel(r, own_id)) return;
    std::lock_guard lock(rooms_mutex_);
    auto& c = room_channels_[r];
    if (c.shards++ == 0) c.id = redis_->subscribe(dynamic_channel(r), handler(), true);
  }

  void room_deleted(const room& r, bool own_id) override {
    if (!separate_channel(r, own_id)) return;
    std::lock_guard lock(rooms_mutex_);
    auto it = room_channels_.find(r);
    if (it == room_channels_.end() || --it->second.shards > 0) return;
    redis_->unsubscribe(dynamic_channel(r), it->second.id, true);
    room_channels_.erase(it);
  }

 private:
  bool separate_channel(const room& /*r*/, bool own_id) const {
    return (opts_.mode == mode::dynamic && !own_id) || opts_.mode == mode::dynamic_private;
  }

  std::string dynamic_channel(const room& r) const { return channel_ + r + "#"; }

  message_handler handler() {
    return guard_.wrap(nsp_, [this](const std::string& channel, const std::string& payload) {
      auto message = decode(payload);
      if (!message || !message->is_object()) return;
      if (channel == response_channel_) return on_response(*message);
      on_message(*message);
    });
  }

  // Binary can only travel in MessagePack; the rest goes as JSON, as Node's encode() decides.
  static std::string encode(message_type type, const value& message, const value& data) {
    bool may_carry_binary =
        type == message_type::broadcast || type == message_type::broadcast_ack ||
        type == message_type::fetch_sockets_response || type == message_type::server_side_emit ||
        type == message_type::server_side_emit_response;
    return may_carry_binary && detail::has_binary(data) ? detail::msgpack(message)
                                                        : detail::json(message);
  }

  // A broadcast to one public room goes to that room's channel in the dynamic modes; with acks
  // it stays on the main one, where the server count covers every node.
  std::string broadcast_channel(const broadcast_options& opts) const {
    if (opts.rooms.size() != 1) return channel_;
    const auto& r = *opts.rooms.begin();
    bool separate = (opts_.mode == mode::dynamic && !looks_like_socket_id(r)) ||
                    opts_.mode == mode::dynamic_private;
    return separate ? dynamic_channel(r) : channel_;
  }

  void publish(message_type type, object data, std::string channel = {}) {
    value d(std::move(data));
    value message =
        object{{"uid", uid_}, {"nsp", nsp_.name()}, {"type", static_cast<int>(type)}, {"data", d}};
    redis_->publish(channel.empty() ? channel_ : std::move(channel), encode(type, message, d),
                    true);
  }

  void respond(const std::string& requester, message_type type, object data) {
    value d(std::move(data));
    value message =
        object{{"uid", uid_}, {"nsp", nsp_.name()}, {"type", static_cast<int>(type)}, {"data", d}};
    redis_->publish(channel_ + requester + "#", encode(type, message, d), true);
  }

  void on_message(const value& m) {
    const auto& from = m["uid"].as_string();
    if (from == uid_) return;
    const auto& data = m["data"];
    switch (static_cast<message_type>(m["type"].as_int())) {
      case message_type::broadcast:
        return on_broadcast(from, data);
      case message_type::sockets_join:
        return adapter::add_sockets(detail::options_from(data["opts"]), strings(data["rooms"]));
      case message_type::sockets_leave:
        return adapter::del_sockets(detail::options_from(data["opts"]), strings(data["rooms"]));
      case message_type::disconnect_sockets:
        return adapter::disconnect_sockets(detail::options_from(data["opts"]),
                                           data["close"].truthy());
      case message_type::fetch_sockets:
        return adapter::fetch_sockets(
            detail::options_from(data["opts"]),
            [this, keep = keep_alive(), from, id = data["requestId"]](const fetch_result& local) {
              array sockets;
              for (const auto& s : local.sockets) sockets.push_back(detail::socket_value(s));
              respond(from, message_type::fetch_sockets_response,
                      object{{"requestId", id}, {"sockets", std::move(sockets)}});
            });
      case message_type::server_side_emit:
        return on_server_side_emit(from, data);
      default:
        return;  // heartbeats are for ClusterAdapterWithHeartbeat, which this is not
    }
  }

  void on_broadcast(const std::string& from, const value& data) {
    auto p = detail::packet_from(data["packet"]);
    if (!p) return;
    p->nsp = nsp_.name();
    auto opts = detail::options_from(data["opts"]);
    if (!data.contains("requestId")) return adapter::broadcast(*p, opts);
    const auto& id = data["requestId"];
    adapter::broadcast_with_ack(
        *p, opts,
        [this, keep = keep_alive(), from, id](std::size_t count) {
          respond(from, message_type::broadcast_client_count,
                  object{{"requestId", id}, {"clientCount", count}});
        },
        [this, keep = keep_alive(), from, id](value ack) {
          respond(from, message_type::broadcast_ack,
                  object{{"requestId", id}, {"packet", std::move(ack)}});
        });
  }

  void on_server_side_emit(const std::string& from, const value& data) {
    if (!data["packet"].is_array()) return;
    server_reply reply;
    if (data.contains("requestId")) {
      reply = [this, keep = keep_alive(), from, id = data["requestId"]](value v) {
        respond(from, message_type::server_side_emit_response,
                object{{"requestId", id}, {"packet", std::move(v)}});
      };
    }
    deliver_server_event(data["packet"].as_array(), std::move(reply));
  }

  void on_response(const value& m) {
    const auto& data = m["data"];
    const auto& id = data["requestId"].as_string();
    switch (static_cast<message_type>(m["type"].as_int())) {
      case message_type::broadcast_client_count:
        requests_.count(id, static_cast<std::size_t>(data["clientCount"].as_int()));
        return;
      case message_type::broadcast_ack:
        requests_.ack(id, data["packet"]);
        return;
      case message_type::fetch_sockets_response:
      case message_type::server_side_emit_response:
        requests_.answer(id, data);
        return;
      default:
        return;
    }
  }

  static std::vector<room> strings(const value& list) {
    std::vector<room> out;
    for (const auto& v : list.as_array()) {
      if (v.is_string()) out.push_back(v.as_string());
    }
    return out;
  }

  std::shared_ptr<pubsub> redis_;
  sharded_adapter_options opts_;
  std::string uid_;
  std::string channel_;
  std::string response_channel_;
  subscription_id channel_id_ = 0;
  subscription_id response_id_ = 0;
  detail::requests requests_;
  detail::handler_guard guard_;
  // Dynamic modes: a room's channel, while any shard has the room.
  struct room_channel {
    unsigned shards = 0;
    subscription_id id = 0;
  };
  std::mutex rooms_mutex_;
  std::map<room, room_channel> room_channels_;
};

}  // namespace

adapter_factory make_sharded_adapter(std::shared_ptr<pubsub> redis, sharded_adapter_options opts) {
  return [redis = std::move(redis), opts = std::move(opts)](namespace_& nsp) {
    return std::make_unique<sharded_adapter>(nsp, redis, opts);
  };
}

}  // namespace socketio::redis
