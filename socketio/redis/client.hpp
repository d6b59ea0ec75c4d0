#pragma once
/// A Redis server as the adapters use it: one connection for commands and one for
/// subscriptions (node-redis's pub and sub clients, in one object). After losing Redis it
/// reconnects every 500 ms and subscribes again; what is published meanwhile is dropped, as
/// the Node adapter's messages are when its clients are offline without a queue.
///
/// ```cpp
/// sio::server io;
/// auto redis = sio::redis::client::connect(io.engine().executor(0), "redis://127.0.0.1:6379");
/// io.adapter(sio::redis::make_adapter(redis));
/// ```
///
/// The client lives on the executor it is given: let it go before that event loop does (declare
/// it after the server, as above).

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "socketio/redis/pubsub.hpp"

namespace socketio::redis {

namespace detail {
class resp_connection;
struct reply;
}  // namespace detail

struct client_options {
  /// Not in node-redis (its offline queue is unbounded): command bytes each connection holds
  /// while connecting or while Redis reads slowly. Past it commands (broadcasts, which clients
  /// drive) are dropped with a logged warning. Default 64 MiB.
  std::size_t max_queued_bytes = std::size_t{64} << 20;
};

class client final : public pubsub, public std::enable_shared_from_this<client> {
 public:
  /// `url` is `redis://host[:port]` (port 6379 by default). Connects in the background.
  static std::shared_ptr<client> connect(boost::asio::any_io_executor executor,
                                         const std::string& url, client_options opts = {});
  client(boost::asio::any_io_executor executor, std::string host, std::string port,
         client_options opts = {});
  ~client() override;

  void publish(std::string channel, std::string payload, bool sharded = false) override;
  subscription_id subscribe(std::string channel, message_handler handler,
                            bool sharded = false) override;
  void unsubscribe(std::string channel, subscription_id id, bool sharded = false) override;
  subscription_id psubscribe(std::string pattern, message_handler handler) override;
  void punsubscribe(std::string pattern, subscription_id id) override;
  void count_subscribers(std::string channel, std::function<void(std::size_t)> done,
                         bool sharded = false) override;
  boost::asio::any_io_executor executor() override { return executor_; }

  /// Stops for good (no reconnection).
  void close();

 private:
  struct subscription {
    subscription_id id;
    message_handler handler;
  };
  using subscriptions = std::map<std::string, subscription>;

  // Every call runs on the executor in the order it was made. A plain post would not keep it: on
  // the executor's own thread it waits for the running handler to return, behind what other
  // threads post meanwhile.
  void in_order(std::function<void()> op);
  void run_queued();
  subscription_id add(subscriptions& table, std::string key, message_handler handler,
                      std::vector<std::string> command);
  void remove(subscriptions& table, std::string key, subscription_id id,
              std::vector<std::string> command);
  void open();
  void on_lost();
  void on_push(const detail::reply& r);
  void send_subscriptions();

  boost::asio::any_io_executor executor_;
  std::string host_;
  std::string port_;
  client_options opts_;
  std::shared_ptr<detail::resp_connection> commands_;
  std::shared_ptr<detail::resp_connection> subscriber_;
  boost::asio::steady_timer retry_;
  subscriptions channels_;
  subscriptions shard_channels_;
  subscriptions patterns_;
  std::atomic<subscription_id> last_id_{0};
  std::mutex queue_mutex_;
  std::vector<std::function<void()>> queue_;
  bool closed_ = false;
};

}  // namespace socketio::redis
