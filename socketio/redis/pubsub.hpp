#pragma once
/// What the Redis adapters need of Redis: publishing, subscribing (plain, pattern and sharded)
/// and counting a channel's subscribers. `client` implements it over a real connection; tests
/// use an in-process fake, so several nodes can share one "Redis" without a server.
///
/// Calls may come from any thread. Messages and completions run on `executor()`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

namespace socketio::redis {

/// A message on a subscribed channel (for a pattern subscription, the channel it matched).
using message_handler = std::function<void(const std::string& channel, const std::string& payload)>;

/// Names one subscribe call. Unsubscribing with it ends that subscription only, never a later one
/// to the same channel (a namespace made again while its old adapter is still going away).
using subscription_id = std::uint64_t;

/// Calls are carried out in the order they are made, whichever threads make them. (Publishing and
/// subscribing take two connections to Redis: a publish may reach it before an earlier
/// subscribe.)
class pubsub {
 public:
  virtual ~pubsub() = default;

  /// PUBLISH, or SPUBLISH with `sharded`.
  virtual void publish(std::string channel, std::string payload, bool sharded = false) = 0;
  /// SUBSCRIBE, or SSUBSCRIBE with `sharded`; one handler per channel, the latest.
  virtual subscription_id subscribe(std::string channel, message_handler handler,
                                    bool sharded = false) = 0;
  /// Ends `id`'s subscription if it is still the channel's; otherwise nothing.
  virtual void unsubscribe(std::string channel, subscription_id id, bool sharded = false) = 0;
  /// PSUBSCRIBE (patterns exist only in classic pub/sub).
  virtual subscription_id psubscribe(std::string pattern, message_handler handler) = 0;
  virtual void punsubscribe(std::string pattern, subscription_id id) = 0;
  /// PUBSUB NUMSUB, or PUBSUB SHARDNUMSUB with `sharded`; 0 when Redis cannot be asked.
  virtual void count_subscribers(std::string channel, std::function<void(std::size_t)> done,
                                 bool sharded = false) = 0;

  virtual boost::asio::any_io_executor executor() = 0;
};

}  // namespace socketio::redis
