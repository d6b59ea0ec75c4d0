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

#include <cstddef>
#include <map>
#include <memory>
#include <string>

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
  void subscribe(std::string channel, message_handler handler, bool sharded = false) override;
  void unsubscribe(std::string channel, bool sharded = false) override;
  void psubscribe(std::string pattern, message_handler handler) override;
  void punsubscribe(std::string pattern) override;
  void count_subscribers(std::string channel, std::function<void(std::size_t)> done,
                         bool sharded = false) override;
  boost::asio::any_io_executor executor() override { return executor_; }

  /// Stops for good (no reconnection).
  void close();

 private:
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
  std::map<std::string, message_handler> channels_;
  std::map<std::string, message_handler> shard_channels_;
  std::map<std::string, message_handler> patterns_;
  bool closed_ = false;
};

}  // namespace socketio::redis
