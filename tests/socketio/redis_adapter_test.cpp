// Two servers joined by a Redis adapter over the in-process fake broker (classic and sharded
// protocols), each with a WebSocket client: what one server does reaches the other's client.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include "socketio/detail/msgpack.hpp"
#include "socketio/redis/adapter.hpp"
#include "socketio/socketio.hpp"
#include "support/fake_pubsub.hpp"
#include "support/loopback.hpp"

using namespace std::chrono_literals;
using namespace std::string_literals;
using sio_test::ws_client;

namespace {

struct node {
  node(sio_test::fake_broker& broker, bool sharded, const std::string& name,
       sio::server_options opts = {}) {
    io = std::make_unique<sio::server>(std::move(opts));
    auto redis = broker.connect();
    io->adapter(sharded ? sio::redis::make_sharded_adapter(redis)
                        : sio::redis::make_adapter(redis));
    io->on_connection([name](sio::socket& s) {
      s.data() = sio::object{{"node", name}};
      s.join("everyone");
      s.on("sync", [](sio::socket&, const sio::args&, sio::ack ack) { ack(); });
      s.on_any_outgoing([](sio::socket&, const std::string&, const sio::args&) {});
    });
    io->of("/").on_server_event("hello", [name](const sio::args& a, const sio::server_reply& r) {
      if (r) r(sio::object{{"node", name}, {"args", sio::array(a)}});
    });
    io->listen("127.0.0.1", 0);
    io->start();
  }
  ~node() { io->stop(); }
  std::unique_ptr<sio::server> io;
};

// A WebSocket client connected to "/". The CONNECT answer goes out before the connection
// handler runs (as in Node), so an acked event makes sure the handler's join is done.
struct client {
  explicit client(std::uint16_t port) : ws(port, "/socket.io/?EIO=4&transport=websocket") {
    ws.read();  // 0{...}
    ws.send_text("40");
    id = ws.read().substr(10, 20);  // 40{"sid":"<20 chars>"}
    ws.send_text(R"(420["sync"])");
    EXPECT_EQ(ws.read(), "430[]");
  }
  ws_client ws;
  std::string id;
};

template <typename T>
T wait(std::future<T>& f) {
  EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
  return f.get();
}

}  // namespace

class RedisAdapter : public ::testing::TestWithParam<bool> {
 protected:
  sio_test::fake_broker broker_;
  node a_{broker_, GetParam(), "a"};
  node b_{broker_, GetParam(), "b"};
};

TEST_P(RedisAdapter, CountsBothServers) {
  std::promise<std::size_t> count;
  auto f = count.get_future();
  a_.io->of("/").adapter().server_count([&](std::size_t n) { count.set_value(n); });
  EXPECT_EQ(wait(f), 2u);
}

TEST_P(RedisAdapter, BroadcastReachesTheOtherServersClients) {
  client on_a(a_.io->port());
  b_.io->to("everyone").emit("hi", 1, sio::binary{"\x01\x02"});
  EXPECT_EQ(on_a.ws.read(), R"(451-["hi",1,{"_placeholder":true,"num":0}])");
  EXPECT_EQ(on_a.ws.read(), "<bin>\x01\x02");
  b_.io->to(on_a.id).emit("direct");
  EXPECT_EQ(on_a.ws.read(), R"(42["direct"])");
}

// Anyone who can publish to Redis reaches every node: a broadcast whose data is not an event, or
// MessagePack announcing more than it holds, must not take a node down.
TEST_P(RedisAdapter, MalformedBroadcastsAreHarmless) {
  if (GetParam()) GTEST_SKIP() << "written in the classic protocol";
  client on_a(a_.io->port());
  auto rogue = broker_.connect();
  std::string object_data;
  sio::detail::append_msgpack(
      object_data,
      sio::array{"rogue", sio::object{{"type", 2}, {"nsp", "/"}, {"data", sio::object{{"a", 1}}}},
                 sio::object{{"rooms", sio::array{}}, {"except", sio::array{}}}});
  rogue->publish("socket.io#/#", object_data, false);
  rogue->publish("socket.io#/#",
                 "\x93\xa5rogue\x83\xa4type\x02\xa3nsp\xa1/\xa4"
                 "data\x91\xdd\xff\xff\xff\xff"s,
                 false);
  b_.io->emit("after");
  EXPECT_EQ(on_a.ws.read(), R"(42{"a":1})");  // passed on as it came, as Node does
  EXPECT_EQ(on_a.ws.read(), R"(42["after"])");
}

TEST_P(RedisAdapter, LocalAndExceptStayOut) {
  client on_a(a_.io->port());
  client on_b(b_.io->port());
  b_.io->local().emit("local-only");
  b_.io->except(on_b.id).emit("not-b");
  EXPECT_EQ(on_b.ws.read(), R"(42["local-only"])");
  EXPECT_EQ(on_a.ws.read(), R"(42["not-b"])");  // the local one never came
}

TEST_P(RedisAdapter, FetchesRemoteSocketsWithDataAndHandshake) {
  client on_a(a_.io->port());
  std::promise<sio::fetch_result> fetched;
  auto f = fetched.get_future();
  b_.io->of("/").fetch_sockets([&](sio::fetch_result r) { fetched.set_value(std::move(r)); });
  auto result = wait(f);
  ASSERT_FALSE(result.error);
  ASSERT_EQ(result.sockets.size(), 1u);
  EXPECT_EQ(result.sockets[0].id(), on_a.id);
  EXPECT_EQ(result.sockets[0].data()["node"].as_string(), "a");
  EXPECT_TRUE(result.sockets[0].rooms().contains("everyone"));
  EXPECT_EQ(result.sockets[0].handshake().url, "/socket.io/?EIO=4&transport=websocket");
}

TEST_P(RedisAdapter, RemoteJoinThenRoomBroadcast) {
  client on_a(a_.io->port());
  b_.io->of("/").sockets_join({"late"});
  // In the sharded protocol a one-room broadcast has its own channel, which node a subscribes
  // to only once the join has reached it: wait for that, as Node's adapter would need too.
  for (int i = 0; i < 100; ++i) {
    std::promise<sio::fetch_result> fetched;
    auto f = fetched.get_future();
    b_.io->in("late").fetch_sockets([&](sio::fetch_result r) { fetched.set_value(std::move(r)); });
    if (!wait(f).sockets.empty()) break;
    std::this_thread::sleep_for(10ms);
  }
  b_.io->to("late").emit("joined");
  EXPECT_EQ(on_a.ws.read(), R"(42["joined"])");
}

TEST_P(RedisAdapter, ServerSideEmitCollectsReplies) {
  std::promise<sio::ack_result> replied;
  auto f = replied.get_future();
  a_.io->of("/").server_side_emit("hello", {1, "x"},
                                  [&](sio::ack_result r) { replied.set_value(std::move(r)); });
  auto r = wait(f);
  ASSERT_TRUE(r.ok()) << *r.error;
  ASSERT_EQ(r.values.size(), 1u);
  EXPECT_EQ(r.values[0].to_json(), R"({"node":"b","args":[1,"x"]})");
}

TEST_P(RedisAdapter, BroadcastWithAckCountsRemoteClients) {
  client on_a(a_.io->port());
  std::promise<sio::ack_result> acked;
  auto f = acked.get_future();
  b_.io->of("/").timeout(2s).emit_with_ack(
      "ask", {7}, [&](sio::ack_result r) { acked.set_value(std::move(r)); });
  auto asked = on_a.ws.read();
  ASSERT_EQ(asked.substr(0, 2), "42");
  auto id = asked.substr(2, asked.find('[') - 2);
  EXPECT_EQ(asked.substr(2 + id.size()), R"(["ask",7])");
  on_a.ws.send_text("43" + id + R"(["yes"])");
  auto r = wait(f);
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.values, sio::args{"yes"});
}

// A child of a dynamic namespace comes and goes on one node while another broadcasts to it and
// fetches its sockets: what the cluster sends to a removed child's adapter finds it closed.
TEST_P(RedisAdapter, ChildNamespacesComeAndGoWhileTheClusterTalks) {
  sio::server_options opts;
  opts.cleanup_empty_child_namespaces = true;
  node c{broker_, GetParam(), "c", opts};
  c.io->of(std::regex("^/dyn-\\d+$")).on_connection([](sio::socket& s) { s.join("r"); });
  std::atomic<bool> done{false};
  std::thread talker([&] {
    auto& there = b_.io->of("/dyn-1");
    while (!done) {
      there.to("r").emit("tick");
      there.fetch_sockets([](const sio::fetch_result&) {});
      std::this_thread::sleep_for(1ms);
    }
  });
  ws_client ws(c.io->port(), "/socket.io/?EIO=4&transport=websocket");
  ws.read();
  for (int i = 0; i < 200; ++i) {
    ws.send_text("40/dyn-1,");
    ws.send_text("41/dyn-1,");
  }
  done = true;
  talker.join();
  ws.send_text("40");
  std::string reply;
  while ((reply = ws.read()).substr(0, 2) != "40" || reply.substr(0, 3) == "40/") {
  }
  EXPECT_EQ(reply.substr(0, 8), R"(40{"sid")");
}

// A child made again while something still holds its old self: when the old one goes, its
// adapter ends its own subscriptions, not the new adapter's on the same channels.
TEST_P(RedisAdapter, AChildMadeAgainStaysInTheClusterWhenItsOldSelfGoes) {
  sio::server_options opts;
  opts.cleanup_empty_child_namespaces = true;
  node c{broker_, GetParam(), "c", opts};
  std::mutex mutex;
  std::optional<sio::broadcast_operator> held;
  c.io->of(std::regex("^/dyn-\\d+$")).on_connection([&](sio::socket& s) {
    std::lock_guard lock(mutex);
    if (!held) held = s.nsp().to("anywhere");
  });
  ws_client ws(c.io->port(), "/socket.io/?EIO=4&transport=websocket");
  ws.read();
  ws.send_text("40/dyn-1,");
  EXPECT_EQ(ws.read().substr(0, 9), "40/dyn-1,");
  ws.send_text("41/dyn-1,");  // the child is removed; `held` keeps it
  ws.send_text("40/dyn-1,");  // and a new one is made
  EXPECT_EQ(ws.read().substr(0, 9), "40/dyn-1,");
  {
    std::lock_guard lock(mutex);
    held.reset();  // the old child goes on a later turn of shard 0
  }
  std::promise<void> gone;
  boost::asio::post(c.io->engine().executor(0), [&] { gone.set_value(); });
  gone.get_future().wait();

  std::promise<sio::fetch_result> fetched;
  auto f = fetched.get_future();
  b_.io->of("/dyn-1").fetch_sockets([&](sio::fetch_result r) { fetched.set_value(std::move(r)); });
  auto result = wait(f);
  ASSERT_FALSE(result.error);
  EXPECT_EQ(result.sockets.size(), 1u) << "c left the cluster's /dyn-1";
}

INSTANTIATE_TEST_SUITE_P(Modes, RedisAdapter, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "sharded" : "classic"; });
