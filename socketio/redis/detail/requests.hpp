#pragma once
// The requests a node of the cluster has in flight: each waits for answers from the other nodes
// until it has them all or its deadline passes (Node's `requests` and `ackRequests` maps).
// Thread-safe: requests start on any shard, answers arrive on the Redis client's executor.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "socketio/error.hpp"
#include "socketio/value.hpp"

namespace socketio::redis::detail {

class requests {
 public:
  /// Takes one answer; true once the request has all it waits for.
  using collect = std::function<bool(const value& answer)>;

  explicit requests(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
  ~requests();
  requests(const requests&) = delete;
  requests& operator=(const requests&) = delete;

  /// Waits for answers to `id`; `expire` runs instead if `deadline` passes first.
  void wait(const std::string& id, std::chrono::milliseconds deadline, collect on_answer,
            std::function<void()> expire);
  /// Hands `answer` to request `id`, which ends once it is complete; false for an unknown id.
  bool answer(const std::string& id, const value& answer);

  /// A server-side emit waiting for `expected` replies, each the `field` of an answer; `ack`
  /// runs on `home` with them all, or with Node's timeout error and those that came.
  void wait_replies(const std::string& id, std::chrono::milliseconds deadline, std::size_t expected,
                    std::string field, const boost::asio::any_io_executor& home,
                    const std::function<void(ack_result)>& ack);

  /// A broadcast with acks: the other nodes' client counts and acks go to these until
  /// `deadline`, then are dropped (Node has no way to know when the last one came).
  void wait_acks(const std::string& id, std::chrono::milliseconds deadline,
                 std::function<void(std::size_t)> on_count, std::function<void(value)> on_ack);
  bool count(const std::string& id, std::size_t clients);
  bool ack(const std::string& id, const value& response);

  /// Whether `id` is one of ours (a node also receives what it publishes).
  bool contains(const std::string& id);

 private:
  struct request {
    collect on_answer;
    std::function<void()> expire;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  struct ack_request {
    std::function<void(std::size_t)> on_count;
    std::function<void(value)> on_ack;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };

  // Shared with the deadline timers, which may fire after this object is gone.
  struct table {
    std::mutex mutex;
    std::map<std::string, request> pending;
    std::map<std::string, ack_request> acks;
  };

  boost::asio::any_io_executor executor_;
  std::shared_ptr<table> table_ = std::make_shared<table>();
};

}  // namespace socketio::redis::detail
