// The classic Redis adapter: the protocol of @socket.io/redis-adapter's RedisAdapter.
//
// Broadcasts go to `<key>#<nsp>#` (or `<key>#<nsp>#<room>#` for a single room) as MessagePack
// [uid, packet, opts]; every node pattern-subscribes to `<key>#<nsp>#*`. Requests go to
// `<key>-request#<nsp>#`, answers to `<key>-response#<nsp>#` (or the requester's own channel).
// The number of servers is the request channel's subscriber count.

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "socketio/detail/msgpack.hpp"
#include "socketio/namespace.hpp"
#include "socketio/redis/adapter.hpp"
#include "socketio/redis/detail/handler_guard.hpp"
#include "socketio/redis/detail/requests.hpp"
#include "socketio/redis/detail/wire.hpp"
#include "socketio/server.hpp"

namespace socketio::redis {
namespace {

using detail::decode;
using detail::json;
using detail::msgpack;

enum class request_type {
  sockets = 0,
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,
  broadcast_client_count = 8,
  broadcast_ack = 9,
};

value type_value(request_type t) {
  return static_cast<int>(t);
}

class classic_adapter final : public adapter {
 public:
  classic_adapter(namespace_& nsp, std::shared_ptr<pubsub> redis, adapter_options opts)
      : adapter(nsp),
        redis_(std::move(redis)),
        opts_(std::move(opts)),
        uid_(detail::random_id(6)),
        channel_(opts_.key + "#" + nsp.name() + "#"),
        request_channel_(opts_.key + "-request#" + nsp.name() + "#"),
        response_channel_(opts_.key + "-response#" + nsp.name() + "#"),
        own_response_channel_(response_channel_ + uid_ + "#"),
        requests_(redis_->executor()) {
    pattern_id_ = redis_->psubscribe(
        channel_ + "*",
        guard_.wrap(nsp_, [this](const std::string& channel, const std::string& msg) {
          on_broadcast(channel, msg);
        }));
    auto on_message = [this](const std::string& ch, const std::string& msg) {
      if (ch.starts_with(response_channel_)) return on_response(msg);
      on_request(msg);
    };
    for (const auto& channel : {request_channel_, response_channel_, own_response_channel_}) {
      channel_ids_.push_back(redis_->subscribe(channel, guard_.wrap(nsp_, on_message)));
    }
  }

  // The subscriptions go with the adapter; a message already on its way finds them closed.
  ~classic_adapter() override {
    guard_.close();
    redis_->punsubscribe(channel_ + "*", pattern_id_);
    auto id = channel_ids_.begin();
    for (const auto& channel : {request_channel_, response_channel_, own_response_channel_}) {
      redis_->unsubscribe(channel, *id++);
    }
  }

  void broadcast(const packet& p, const broadcast_options& opts) override {
    if (!opts.flags.local) {
      array message{uid_, detail::packet_value(p), detail::options_value(opts, true)};
      auto channel = channel_;
      if (opts.rooms.size() == 1) channel.append(*opts.rooms.begin()).push_back('#');
      redis_->publish(std::move(channel), msgpack(message));
    }
    adapter::broadcast(p, opts);
  }

  void broadcast_with_ack(const packet& p, const broadcast_options& opts,
                          std::function<void(std::size_t)> on_count,
                          std::function<void(value)> on_response) override {
    if (!opts.flags.local) {
      auto id = detail::random_id(6);
      auto unnumbered = p;
      unnumbered.id.reset();  // each node numbers the packet for its own sockets
      object request{{"uid", uid_},
                     {"requestId", id},
                     {"type", type_value(request_type::broadcast)},
                     {"packet", detail::packet_value(unnumbered)},
                     {"opts", detail::options_value(opts, true)}};
      // Node forgets the request after the broadcast's timeout: acks later than that are lost.
      requests_.wait_acks(id, opts.flags.timeout.value_or(opts_.requests_timeout), on_count,
                          on_response);
      redis_->publish(request_channel_, msgpack(request));
    }
    adapter::broadcast_with_ack(p, opts, std::move(on_count), std::move(on_response));
  }

  void add_sockets(const broadcast_options& opts, const std::vector<room>& rooms) override {
    if (opts.flags.local) return adapter::add_sockets(opts, rooms);
    // Like Node, this node acts when its own request comes back from Redis.
    publish_request(request_type::remote_join, opts, {"rooms", array(rooms.begin(), rooms.end())});
  }

  void del_sockets(const broadcast_options& opts, const std::vector<room>& rooms) override {
    if (opts.flags.local) return adapter::del_sockets(opts, rooms);
    publish_request(request_type::remote_leave, opts, {"rooms", array(rooms.begin(), rooms.end())});
  }

  void disconnect_sockets(const broadcast_options& opts, bool close) override {
    if (opts.flags.local) return adapter::disconnect_sockets(opts, close);
    publish_request(request_type::remote_disconnect, opts, {"close", close});
  }

  void fetch_sockets(const broadcast_options& opts,
                     std::function<void(fetch_result)> done) override {
    auto home = home_executor();
    adapter::fetch_sockets(opts, [this, keep = keep_alive(), opts, home, done](fetch_result local) {
      if (opts.flags.local) return done(std::move(local));
      // The reply comes on the Redis client's executor, perhaps after this adapter is gone.
      redis_->count_subscribers(
          request_channel_, guard_.wrap(nsp_, [this, keep, opts, home, done,
                                               local = std::move(local)](std::size_t n) mutable {
            if (n <= 1) return boost::asio::post(home, [done, local] { done(local); });
            auto state = std::make_shared<fetch_result>(std::move(local));
            auto received = std::make_shared<std::size_t>(1);  // this node's part
            object request{{"uid", uid_},
                           {"type", type_value(request_type::remote_fetch)},
                           {"opts", detail::options_value(opts, false)}};
            ask(
                std::move(request),
                [this, keep, state, received, n, home, done](const value& response) {
                  ++*received;
                  for (const auto& s : response["sockets"].as_array()) {
                    state->sockets.push_back(detail::socket_from(nsp_, s));
                  }
                  if (*received < n) return false;
                  boost::asio::post(home, [done, state] { done(std::move(*state)); });
                  return true;
                },
                [home, done] {
                  boost::asio::post(home, [done] {
                    done({{}, "timeout reached while waiting for fetchSockets response"});
                  });
                });
          }));
    });
  }

  void all_rooms(std::function<void(rooms_result)> done) override {
    auto home = home_executor();
    adapter::all_rooms([this, keep = keep_alive(), home, done](rooms_result local) {
      redis_->count_subscribers(
          request_channel_, guard_.wrap(nsp_, [this, keep, home, done,
                                               local = std::move(local)](std::size_t n) mutable {
            if (n <= 1) return boost::asio::post(home, [done, local] { done(local); });
            auto state = std::make_shared<rooms_result>(std::move(local));
            auto received = std::make_shared<std::size_t>(1);
            ask(
                object{{"uid", uid_}, {"type", type_value(request_type::all_rooms)}},
                [keep, state, received, n, home, done](const value& response) {
                  ++*received;
                  for (const auto& r : response["rooms"].as_array()) {
                    if (r.is_string()) state->rooms.insert(r.as_string());
                  }
                  if (*received < n) return false;
                  boost::asio::post(home, [done, state] { done(std::move(*state)); });
                  return true;
                },
                [home, done] {
                  boost::asio::post(home, [done] {
                    done({{}, "timeout reached while waiting for allRooms response"});
                  });
                });
          }));
    });
  }

  void server_count(std::function<void(std::size_t)> done) override {
    auto home = home_executor();
    redis_->count_subscribers(request_channel_, [home, done](std::size_t n) {
      boost::asio::post(home, [done, n] { done(n); });
    });
  }

  void server_side_emit(const args& values, std::function<void(ack_result)> ack) override {
    if (!ack) {
      object request{{"uid", uid_},
                     {"type", type_value(request_type::server_side_emit)},
                     {"data", array(values)}};
      return redis_->publish(request_channel_, json(request));
    }
    auto home = home_executor();
    redis_->count_subscribers(
        request_channel_, guard_.wrap(nsp_, [this, values, ack, home](std::size_t n) {
          std::size_t expected = n > 0 ? n - 1 : 0;  // every server but this one
          if (expected == 0) return boost::asio::post(home, [ack] { ack({std::nullopt, {}}); });
          auto id = detail::random_id(6);
          requests_.wait_replies(id, opts_.requests_timeout, expected, "data", home, ack);
          redis_->publish(request_channel_,
                          json(object{{"uid", uid_},
                                      {"requestId", id},
                                      {"type", type_value(request_type::server_side_emit)},
                                      {"data", array(values)}}));
        }));
  }

 private:
  void publish_request(request_type type, const broadcast_options& opts,
                       std::pair<std::string, value> extra) {
    object request{{"uid", uid_},
                   {"type", type_value(type)},
                   {"opts", detail::options_value(opts, false)},
                   std::move(extra)};
    redis_->publish(request_channel_, json(request));
  }

  // Publishes a request that expects answers, giving it an id and a deadline.
  void ask(object request, detail::requests::collect on_answer, std::function<void()> expire) {
    auto id = detail::random_id(6);
    request.insert(request.begin() + 1, {"requestId", id});
    requests_.wait(id, opts_.requests_timeout, std::move(on_answer), std::move(expire));
    redis_->publish(request_channel_, json(request));
  }

  bool is_own_request(const std::string& id) { return requests_.contains(id); }

  void publish_response(const value& request, std::string payload) {
    auto channel = opts_.publish_on_specific_response_channel
                       ? response_channel_ + request["uid"].as_string() + "#"
                       : response_channel_;
    redis_->publish(std::move(channel), std::move(payload));
  }

  void on_broadcast(const std::string& /*channel*/, const std::string& payload) {
    auto message = socketio::detail::parse_msgpack(payload);
    if (!message || !message->is_array() || message->size() != 3) return;
    const auto& parts = *message;
    if (parts[0].as_string() == uid_) return;
    auto p = detail::packet_from(parts[1]);
    if (!p || p->nsp != nsp_.name()) return;
    adapter::broadcast(*p, detail::options_from(parts[2]));
  }

  void on_request(const std::string& payload) {
    auto request = decode(payload);
    if (!request || !request->is_object()) return;
    const auto& r = *request;
    const auto& id = r["requestId"].as_string();
    switch (static_cast<request_type>(r["type"].as_int())) {
      case request_type::sockets:
        if (is_own_request(id)) return;
        return adapter::fetch_sockets(
            detail::options_from(object{{"rooms", r["rooms"]}}),
            [this, keep = keep_alive(), r](const fetch_result& local) {
              array ids;
              for (const auto& s : local.sockets) ids.emplace_back(s.id());
              publish_response(
                  r, json(object{{"requestId", r["requestId"]}, {"sockets", std::move(ids)}}));
            });
      case request_type::all_rooms:
        if (is_own_request(id)) return;
        return adapter::all_rooms([this, keep = keep_alive(), r](const rooms_result& local) {
          publish_response(r,
                           json(object{{"requestId", r["requestId"]},
                                       {"rooms", array(local.rooms.begin(), local.rooms.end())}}));
        });
      case request_type::remote_join:
        return adapter::add_sockets(targets(r), strings(r["rooms"], r["room"]));
      case request_type::remote_leave:
        return adapter::del_sockets(targets(r), strings(r["rooms"], r["room"]));
      case request_type::remote_disconnect:
        return adapter::disconnect_sockets(targets(r), r["close"].truthy());
      case request_type::remote_fetch:
        if (is_own_request(id)) return;
        return adapter::fetch_sockets(
            detail::options_from(r["opts"]),
            [this, keep = keep_alive(), r](const fetch_result& local) {
              array sockets;
              for (const auto& s : local.sockets) sockets.push_back(detail::socket_value(s));
              publish_response(
                  r, json(object{{"requestId", r["requestId"]}, {"sockets", std::move(sockets)}}));
            });
      case request_type::server_side_emit:
        return on_server_side_emit(r);
      case request_type::broadcast:
        return on_broadcast_request(r);
      default:
        return;
    }
  }

  // Sockets a join/leave/disconnect request is about: its opts, or the single `sid` of the
  // adapter's older form.
  static broadcast_options targets(const value& r) {
    if (r.contains("opts")) return detail::options_from(r["opts"]);
    broadcast_options opts;
    opts.rooms.insert(r["sid"].as_string());
    return opts;
  }

  static std::vector<room> strings(const value& list, const value& single) {
    std::vector<room> out;
    for (const auto& v : list.as_array()) {
      if (v.is_string()) out.push_back(v.as_string());
    }
    if (single.is_string()) out.push_back(single.as_string());
    return out;
  }

  void on_server_side_emit(const value& r) {
    if (r["uid"].as_string() == uid_ || !r["data"].is_array()) return;
    server_reply reply;
    if (r.contains("requestId")) {
      // Answers to server-side emits always go to the shared channel, as in Node.
      reply = [this, keep = keep_alive(), id = r["requestId"]](value v) {
        redis_->publish(response_channel_,
                        json(object{{"type", type_value(request_type::server_side_emit)},
                                    {"requestId", id},
                                    {"data", std::move(v)}}));
      };
    }
    deliver_server_event(r["data"].as_array(), std::move(reply));
  }

  void on_broadcast_request(const value& r) {
    const auto& id = r["requestId"].as_string();
    if (is_own_request(id)) return;
    auto p = detail::packet_from(r["packet"]);
    if (!p) return;
    p->nsp = nsp_.name();
    adapter::broadcast_with_ack(
        *p, detail::options_from(r["opts"]),
        [this, keep = keep_alive(), r](std::size_t count) {
          publish_response(r,
                           json(object{{"type", type_value(request_type::broadcast_client_count)},
                                       {"requestId", r["requestId"]},
                                       {"clientCount", count}}));
        },
        [this, keep = keep_alive(), r](value ack) {
          publish_response(r, msgpack(object{{"type", type_value(request_type::broadcast_ack)},
                                             {"requestId", r["requestId"]},
                                             {"packet", std::move(ack)}}));
        });
  }

  void on_response(const std::string& payload) {
    auto response = decode(payload);
    if (!response || !response->is_object()) return;
    const auto& r = *response;
    const auto& id = r["requestId"].as_string();
    switch (static_cast<request_type>(r["type"].as_int())) {
      case request_type::broadcast_client_count:
        if (requests_.count(id, static_cast<std::size_t>(r["clientCount"].as_int()))) return;
        break;
      case request_type::broadcast_ack:
        if (requests_.ack(id, r["packet"])) return;
        break;
      default:
        break;
    }
    requests_.answer(id, r);
  }

  std::shared_ptr<pubsub> redis_;
  adapter_options opts_;
  std::string uid_;
  std::string channel_;
  std::string request_channel_;
  std::string response_channel_;
  std::string own_response_channel_;
  subscription_id pattern_id_ = 0;
  std::vector<subscription_id> channel_ids_;  // of the three channels above, in that order
  detail::requests requests_;
  detail::handler_guard guard_;
};

}  // namespace

adapter_factory make_adapter(std::shared_ptr<pubsub> redis, adapter_options opts) {
  return [redis = std::move(redis), opts = std::move(opts)](namespace_& nsp) {
    return std::make_unique<classic_adapter>(nsp, redis, opts);
  };
}

}  // namespace socketio::redis
