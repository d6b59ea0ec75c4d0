// The Redis connection's send queue is bounded: broadcasts become commands, so clients drive it,
// and a Redis that does not read (or is still being connected to) must not let it grow.

#include "socketio/redis/detail/resp_connection.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>

using namespace std::chrono_literals;
using socketio::redis::detail::reply;
using socketio::redis::detail::resp_connection;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TEST(RespConnection, CommandsPastTheQueueLimitAreDroppedWithAnError) {
  asio::io_context ctx;
  // Listens but never accepts: the kernel completes the connection and buffers a little of what
  // is sent, then the writes stall.
  tcp::acceptor redis(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  constexpr std::size_t limit = std::size_t{64} * 1024;
  auto conn = std::make_shared<resp_connection>(ctx.get_executor(), nullptr, nullptr, limit);
  bool connected = false;
  conn->connect("127.0.0.1", std::to_string(redis.local_endpoint().port()),
                [&](bool ok) { connected = ok; });
  const std::string payload(4096, 'x');
  std::size_t errors = 0;
  std::size_t most_queued = 0;
  for (int i = 0; i < 4000; ++i) {  // 16 MB of commands, queued from before the connection is up
    conn->command({"PUBLISH", "channel", payload}, [&](const reply& r) {
      if (r.type == reply::kind::error) ++errors;
    });
    most_queued = std::max(most_queued, conn->queued_bytes());
    ctx.poll();
  }
  ctx.run_for(100ms);
  EXPECT_TRUE(connected);
  EXPECT_LE(most_queued, limit);
  EXPECT_GT(errors, 0u);  // the dropped commands' callbacks heard of it
  conn->close();
  ctx.poll();
}
