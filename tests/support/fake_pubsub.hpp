#pragma once
// An in-process stand-in for Redis pub/sub, so unit tests can run several cluster nodes without a
// server: a broker with its own thread, and one `fake_pubsub` per node. Patterns support a
// trailing '*' only, which is all the adapters subscribe with.

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "socketio/redis/pubsub.hpp"

namespace sio_test {

class fake_broker;

class fake_pubsub final : public socketio::redis::pubsub {
 public:
  explicit fake_pubsub(fake_broker& broker) : broker_(broker) {}

  void publish(std::string channel, std::string payload, bool sharded) override;
  socketio::redis::subscription_id subscribe(std::string channel,
                                             socketio::redis::message_handler h,
                                             bool sharded) override {
    std::lock_guard lock(mutex_);
    return add(sharded ? shard_channels_ : channels_, channel, std::move(h));
  }
  void unsubscribe(std::string channel, socketio::redis::subscription_id id,
                   bool sharded) override {
    std::lock_guard lock(mutex_);
    remove(sharded ? shard_channels_ : channels_, channel, id);
  }
  socketio::redis::subscription_id psubscribe(std::string pattern,
                                              socketio::redis::message_handler h) override {
    std::lock_guard lock(mutex_);
    return add(patterns_, pattern, std::move(h));
  }
  void punsubscribe(std::string pattern, socketio::redis::subscription_id id) override {
    std::lock_guard lock(mutex_);
    remove(patterns_, pattern, id);
  }
  void count_subscribers(std::string channel, std::function<void(std::size_t)> done,
                         bool sharded) override;
  boost::asio::any_io_executor executor() override;

  /// The handlers `channel` reaches here (a copy: they run without the lock).
  std::vector<std::pair<std::string, socketio::redis::message_handler>> receivers(
      const std::string& channel, bool sharded) {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, socketio::redis::message_handler>> out;
    auto& table = sharded ? shard_channels_ : channels_;
    if (auto it = table.find(channel); it != table.end()) {
      out.emplace_back(channel, it->second.handler);
    }
    if (!sharded) {
      for (const auto& [pattern, sub] : patterns_) {
        if (channel.starts_with(pattern.substr(0, pattern.size() - 1)))
          out.emplace_back(channel, sub.handler);
      }
    }
    return out;
  }
  bool subscribed(const std::string& channel, bool sharded) {
    std::lock_guard lock(mutex_);
    return (sharded ? shard_channels_ : channels_).contains(channel);
  }

 private:
  struct subscription {
    socketio::redis::subscription_id id;
    socketio::redis::message_handler handler;
  };
  using subscriptions = std::map<std::string, subscription>;

  // As the real client: the latest subscription to a key is its handler; an older id ends nothing.
  socketio::redis::subscription_id add(subscriptions& table, const std::string& key,
                                       socketio::redis::message_handler h) {
    table.insert_or_assign(key, subscription{++last_id_, std::move(h)});
    return last_id_;
  }
  static void remove(subscriptions& table, const std::string& key,
                     socketio::redis::subscription_id id) {
    if (auto it = table.find(key); it != table.end() && it->second.id == id) table.erase(it);
  }

  fake_broker& broker_;
  std::mutex mutex_;
  socketio::redis::subscription_id last_id_ = 0;
  subscriptions channels_;
  subscriptions shard_channels_;
  subscriptions patterns_;
};

class fake_broker {
 public:
  fake_broker() : thread_([this] { io_.run(); }) {}
  ~fake_broker() {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  std::shared_ptr<fake_pubsub> connect() {
    auto c = std::make_shared<fake_pubsub>(*this);
    std::lock_guard lock(mutex_);
    clients_.push_back(c);
    return c;
  }

  void publish(const std::string& channel, const std::string& payload, bool sharded) {
    boost::asio::post(io_, [this, channel, payload, sharded] {
      for (const auto& c : clients()) {
        for (const auto& [ch, h] : c->receivers(channel, sharded)) h(ch, payload);
      }
    });
  }

  std::size_t count(const std::string& channel, bool sharded) {
    auto all = clients();
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [&](const auto& c) { return c->subscribed(channel, sharded); }));
  }

  boost::asio::any_io_executor executor() { return io_.get_executor(); }

 private:
  std::vector<std::shared_ptr<fake_pubsub>> clients() {
    std::lock_guard lock(mutex_);
    return clients_;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::mutex mutex_;
  std::vector<std::shared_ptr<fake_pubsub>> clients_;
  std::thread thread_;
};

inline void fake_pubsub::publish(std::string channel, std::string payload, bool sharded) {
  broker_.publish(channel, payload, sharded);
}

inline void fake_pubsub::count_subscribers(std::string channel,
                                           std::function<void(std::size_t)> done, bool sharded) {
  boost::asio::post(broker_.executor(),
                    [this, channel, done, sharded] { done(broker_.count(channel, sharded)); });
}

inline boost::asio::any_io_executor fake_pubsub::executor() {
  return broker_.executor();
}

}  // namespace sio_test
