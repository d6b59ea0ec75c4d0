#pragma once
/// Adapters that make several servers one cluster through Redis, speaking the protocol of Node's
/// `@socket.io/redis-adapter` 8.x, so C++ and Node servers can share a cluster.
///
/// ```cpp
/// sio::server_options opts;
/// auto redis = sio::redis::client::connect(executor, "redis://127.0.0.1:6379");
/// opts.adapter = sio::redis::make_adapter(redis);            // createAdapter(pub, sub)
/// opts.adapter = sio::redis::make_sharded_adapter(redis);    // createShardedAdapter(pub, sub)
/// ```

#include <chrono>
#include <memory>
#include <string>

#include "socketio/adapter.hpp"
#include "socketio/redis/pubsub.hpp"

namespace socketio::redis {

/// `createAdapter`'s options, with Node's defaults.
struct adapter_options {
  /// Prefix of every channel.
  std::string key = "socket.io";
  /// How long fetch_sockets, all_rooms and server_side_emit wait for the other servers.
  std::chrono::milliseconds requests_timeout{5000};
  /// Answer requests on the requester's own channel rather than the shared one.
  bool publish_on_specific_response_channel = false;
};

/// Classic Redis pub/sub: one pattern subscription per namespace for broadcasts, and a request
/// channel whose subscriber count is the number of servers.
adapter_factory make_adapter(std::shared_ptr<pubsub> redis, adapter_options opts = {});

/// `createShardedAdapter`'s options, with Node's defaults.
struct sharded_adapter_options {
  std::string channel_prefix = "socket.io";
  std::chrono::milliseconds requests_timeout{5000};
  /// static: one channel per namespace; dynamic: also one per room (not for rooms that look like
  /// a socket id); dynamic_private: one per room, private ones included.
  enum class subscription_mode { static_, dynamic, dynamic_private };
  subscription_mode mode = subscription_mode::dynamic;
};

/// Redis 7 sharded pub/sub (SPUBLISH/SSUBSCRIBE), as Node's ShardedRedisAdapter.
adapter_factory make_sharded_adapter(std::shared_ptr<pubsub> redis,
                                     sharded_adapter_options opts = {});

}  // namespace socketio::redis
