// Hostile and careless use of the Socket.IO layer over loopback: namespace names, duplicate
// CONNECTs, dynamic namespaces, acks that never come, sockets used after their connection ended,
// and handlers that throw what is not a std::exception.

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "socketio/socketio.hpp"
#include "support/internals.hpp"
#include "support/loopback.hpp"

using namespace std::chrono_literals;
using sio_test::send_http;
using sio_test::sid_of;
using sio_test::ws_client;
namespace http = boost::beast::http;

namespace {

// Waits up to 5 s for `done`, which reads state written by shard threads.
template <typename F>
bool eventually(F done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

// Runs `fn` on shard 0's thread and returns its result.
template <typename F>
auto on_shard(sio::server& io, F fn) {
  std::promise<decltype(fn())> done;
  io.engine().post(0, [&] { done.set_value(fn()); });
  return done.get_future().get();
}

class Lifecycle : public ::testing::Test {
 protected:
  void start(sio::server_options opts = {}) {
    opts.threads = 1;
    io_ = std::make_unique<sio::server>(opts);
  }
  void listen() {
    io_->listen("127.0.0.1", 0);
    io_->start();
  }
  void TearDown() override {
    if (io_) io_->stop();
  }
  /// A WebSocket client past the Engine.IO handshake.
  std::unique_ptr<ws_client> connect_ws() {
    auto ws = std::make_unique<ws_client>(io_->port(), "/socket.io/?EIO=4&transport=websocket");
    EXPECT_EQ(ws->read().substr(0, 8), R"(0{"sid":)");
    return ws;
  }

  std::unique_ptr<sio::server> io_;
};

TEST_F(Lifecycle, OverlongNamespaceNameIsInvalidAndNeverReachesTheMatcher) {
  start();
  // libstdc++'s regex_match recurses per character: 100,000 digits overflow a thread's stack.
  io_->of(std::regex("^/ws-\\d+$"));
  listen();
  auto ws = connect_ws();
  std::string name = "/ws-" + std::string(100'000, '1');
  ws->send_text("40" + name + ",");
  EXPECT_EQ(ws->read(), "44" + name + R"(,{"message":"Invalid namespace"})");
  ws->send_text("40/ws-1,");
  EXPECT_EQ(ws->read().substr(0, 15), R"(40/ws-1,{"sid":)");
}

TEST_F(Lifecycle, MatcherMayUseTheServer) {
  start();
  io_->of([this](std::string_view name, const sio::value&) {
    io_->of("/other");
    return io_->find(name) == nullptr;
  });
  listen();
  auto ws = connect_ws();
  ws->send_text("40/dyn,");
  EXPECT_EQ(ws->read().substr(0, 14), R"(40/dyn,{"sid":)");
}

// The answers come from a thread of no shard, some twice; the first client leaves before its
// answer: its child is made, finds no one, and goes; the second joins a fresh one.
TEST_F(Lifecycle, AsynchronousMatcherAnswersFromAnotherThread) {
  start();
  std::mutex mutex;
  std::vector<sio::namespace_next> waiting;
  auto& parent = io_->of([&](const std::string& name, const sio::value&, sio::namespace_next next) {
    if (name == "/throws") throw std::runtime_error("lookup failed");
    std::lock_guard lock(mutex);
    waiting.push_back(std::move(next));
  });
  std::atomic<int> connections{0};
  parent.on_connection([&](sio::socket&) { ++connections; });
  listen();
  auto answer = [&](bool accepted) {
    EXPECT_TRUE(eventually([&] {
      std::lock_guard lock(mutex);
      return !waiting.empty();
    }));
    std::lock_guard lock(mutex);
    auto next = std::move(waiting.front());
    waiting.erase(waiting.begin());
    std::thread([next, accepted] {
      next(accepted);
      next(!accepted);  // ignored
    }).join();
  };
  {
    auto gone = connect_ws();
    gone->send_text("40/dyn,");
    EXPECT_TRUE(eventually([&] {
      std::lock_guard lock(mutex);
      return !waiting.empty();
    }));
  }
  std::this_thread::sleep_for(50ms);  // the server sees the close
  answer(true);
  EXPECT_TRUE(eventually([&] { return io_->find("/dyn") == nullptr; }));
  EXPECT_EQ(connections, 0);

  auto ws = connect_ws();
  ws->send_text("40/dyn,");
  answer(true);
  EXPECT_EQ(ws->read().substr(0, 14), R"(40/dyn,{"sid":)");
  EXPECT_EQ(connections, 1);
  ws->send_text("40/refused,");
  answer(false);
  EXPECT_EQ(ws->read(), R"(44/refused,{"message":"Invalid namespace"})");
  ws->send_text("40/throws,");
  EXPECT_EQ(ws->read(), R"(44/throws,{"message":"Invalid namespace"})");
}

// Node lets an application add middlewares and handlers at any time; here from any thread, while
// CONNECTs run on the shards, each with the lists there were when it came.
TEST_F(Lifecycle, MiddlewaresAndHandlersAddedWhileRunning) {
  start();
  listen();
  std::atomic<int> handled{0};
  std::thread adder([&] {
    for (int i = 0; i < 200; ++i) {
      io_->use([](sio::socket&, sio::next next) { next(); });
      io_->on_connection([&](sio::socket&) { ++handled; });
    }
  });
  for (int i = 0; i < 20; ++i) {
    auto ws = connect_ws();
    ws->send_text("40");
    EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  }
  adder.join();
  io_->use([](sio::socket&, sio::next next) { next(sio::connect_error{"closed for now"}); });
  auto late = connect_ws();
  late->send_text("40");
  EXPECT_EQ(late->read(), R"(44{"message":"closed for now"})");
  int before = handled;
  auto& nsp = io_->of("/late");
  auto removed = nsp.on_connection([&](sio::socket&) { handled += 1; });
  nsp.on_connection([&](sio::socket&) { handled += 1000; });
  nsp.off_connection(removed);  // Node's nsp.off("connection", fn)
  late->send_text("40/late,");
  EXPECT_EQ(late->read().substr(0, 14), R"(40/late,{"sid")");
  EXPECT_TRUE(eventually([&] { return handled == before + 1000; }));
}

// Node's prependListener, prependOnceListener, listeners and eventNames.
TEST_F(Lifecycle, PrependedHandlersRunFirst) {
  start();
  std::mutex mutex;
  std::vector<std::string> calls;
  std::vector<std::string> names;
  std::size_t listeners_after = 0;
  auto record = [&](std::string what) {
    std::lock_guard lock(mutex);
    calls.push_back(std::move(what));
  };
  io_->on_connection([&](sio::socket& s) {
    s.on("e", [&](sio::socket&, const sio::args&) { record("on"); });
    s.prepend("e", [&](sio::socket&, const sio::args&) { record("prepend"); });
    s.prepend_once("e", [&](sio::socket& s, const sio::args&) {
      record("prepend_once");
      std::lock_guard lock(mutex);
      names = s.event_names();
    });
    s.on("z", [&](sio::socket& s, const sio::args&) {
      std::lock_guard lock(mutex);
      listeners_after = s.listeners("e").size();
    });
  });
  listen();
  auto ws = connect_ws();
  ws->send_text("40");
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  ws->send_text(R"(42["e"])");
  ws->send_text(R"(42["e"])");
  ws->send_text(R"(42["z"])");
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return calls.size() == 5 && listeners_after == 2;
  }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(calls, (std::vector<std::string>{"prepend_once", "prepend", "on", "prepend", "on"}));
  EXPECT_EQ(names, (std::vector<std::string>{"e", "z"}));
}

TEST_F(Lifecycle, SecondConnectWhileMiddlewareRunsLeavesOneSocketAtMost) {
  start();
  std::atomic<int> connections{0};
  std::atomic<int> disconnections{0};
  io_->use([](sio::socket&, sio::next next) {
    boost::asio::post(eio::this_shard_executor(), [next] { next(); });
  });
  io_->on_connection([&](sio::socket& s) {
    ++connections;
    s.on_disconnect([&](sio::socket&, sio::disconnect_reason) { ++disconnections; });
  });
  listen();
  auto port = io_->port();
  const std::string base = "/socket.io/?EIO=4&transport=polling";
  auto sid = sid_of(send_http(port, http::verb::get, base).body);
  send_http(port, http::verb::post, base + "&sid=" + sid,
            "40\x1e"
            "40");
  std::this_thread::sleep_for(100ms);
  send_http(port, http::verb::post, base + "&sid=" + sid, "1");  // refused if already closed
  EXPECT_TRUE(eventually([&] { return io_->engine().clients_count() == 0; }));
  EXPECT_LE(connections.load(), 1);
  EXPECT_EQ(disconnections.load(), connections.load());
  io_->emit("after");  // walks the room index: no socket of the closed client is left there
  EXPECT_EQ(on_shard(*io_, [&] { return io_->engine().clients_count(); }), 0u);
}

TEST_F(Lifecycle, NamespacesPerConnectionAreCapped) {
  sio::server_options opts;
  opts.max_namespaces_per_client = 2;
  start(opts);
  io_->of("/a");
  io_->of("/b");
  listen();
  auto ws = connect_ws();
  ws->send_text("40");
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  ws->send_text("40/a,");
  EXPECT_EQ(ws->read().substr(0, 11), R"(40/a,{"sid")");
  ws->send_text("40/b,");
  EXPECT_EQ(ws->read(), R"(44/b,{"message":"Too many namespaces"})");
  ws->send_text("41/a,");
  ws->send_text("40/b,");
  EXPECT_EQ(ws->read().substr(0, 11), R"(40/b,{"sid")");
}

TEST_F(Lifecycle, DynamicNamespacesAreCapped) {
  sio::server_options opts;
  opts.max_dynamic_namespaces = 100;
  start(opts);
  io_->of(std::regex("^/dyn-\\d+$"));
  listen();
  auto ws = connect_ws();
  constexpr int names = 100'000;
  for (int i = 0; i < names; ++i) {
    auto nsp = "/dyn-" + std::to_string(i) + ",";
    ws->send_text("40" + nsp);
    if (i < 100) ws->send_text("41" + nsp);  // only accepted ones: others would be "invalid state"
  }
  int refused = 0;
  for (int i = 0; i < names; ++i) {
    if (ws->read().find("Invalid namespace") != std::string::npos) ++refused;
  }
  EXPECT_EQ(refused, names - 100);
  EXPECT_NE(io_->find("/dyn-99"), nullptr);
  EXPECT_EQ(io_->find("/dyn-100"), nullptr);
  ws->send_text("40");
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
}

TEST_F(Lifecycle, ChildrenThatNoSocketJoinedAreRemoved) {
  sio::server_options opts;
  opts.max_dynamic_namespaces = 10;
  start(opts);
  io_->of(std::regex("^/dyn-\\d+$")).use([](sio::socket& s, const sio::next& next) {
    s.handshake().auth["token"].is_string() ? next() : next(sio::connect_error{"no token"});
  });
  listen();
  auto ws = connect_ws();
  // Ten times the cap of names refused by the middleware: none of them stays.
  for (int i = 0; i < 100; ++i) {
    auto nsp = "/dyn-" + std::to_string(i);
    ws->send_text("40" + nsp + ",");
    EXPECT_EQ(ws->read(), "44" + nsp + R"(,{"message":"no token"})");
  }
  EXPECT_TRUE(eventually([&] { return io_->find("/dyn-99") == nullptr; }));
  ws->send_text(R"(40/dyn-5,{"token":"t"})");
  EXPECT_EQ(ws->read().substr(0, 15), R"(40/dyn-5,{"sid")");
  // A child a socket joined stays after it leaves, as in Node by default.
  ws->send_text("41/dyn-5,");
  ws->send_text("40");
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  EXPECT_NE(io_->find("/dyn-5"), nullptr);
}

TEST_F(Lifecycle, EmptyChildrenAreRemovedWithCleanupOn) {
  sio::server_options opts;
  opts.cleanup_empty_child_namespaces = true;
  start(opts);
  std::atomic<int> connections{0};
  io_->of(std::regex("^/dyn-\\d+$")).on_connection([&](sio::socket&) { ++connections; });
  listen();
  auto ws = connect_ws();
  ws->send_text("40/dyn-1,");
  EXPECT_EQ(ws->read().substr(0, 15), R"(40/dyn-1,{"sid")");
  ws->send_text("41/dyn-1,");
  EXPECT_TRUE(eventually([&] { return io_->find("/dyn-1") == nullptr; }));
  // The next CONNECT makes the child anew, with the parent's handlers.
  ws->send_text("40/dyn-1,");
  EXPECT_EQ(ws->read().substr(0, 15), R"(40/dyn-1,{"sid")");
  // The CONNECT answer goes out before the connection handlers run, as in Node.
  EXPECT_TRUE(eventually([&] { return connections.load() == 2; }));
}

// A child the application asked for by name is its own: cleanup never removes it, so the
// reference of() gave stays valid. new_namespace handlers configure a child before its first
// CONNECT.
TEST_F(Lifecycle, ChildrenTheApplicationHoldsStayAndHandlersConfigureNewOnes) {
  sio::server_options opts;
  opts.cleanup_empty_child_namespaces = true;
  start(opts);
  io_->of(std::regex("^/dyn-\\d+$"));
  io_->on_new_namespace([](sio::namespace_& nsp) {
    nsp.use([](sio::socket&, const sio::next& next) { next(sio::connect_error{"configured"}); });
  });
  auto& held = io_->of("/dyn-1");
  held.on_connection([](sio::socket& s) { s.emit("held"); });
  listen();
  auto ws = connect_ws();
  ws->send_text("40/dyn-2,");
  EXPECT_EQ(ws->read(), R"(44/dyn-2,{"message":"configured"})");
  ws->send_text("40/dyn-1,");
  EXPECT_EQ(ws->read(), R"(44/dyn-1,{"message":"configured"})");  // announced when of() made it
  ws->send_text("40");  // answered after the refused sockets of this connection are gone
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  EXPECT_EQ(io_->find("/dyn-1").get(), &held);
  EXPECT_TRUE(eventually([&] { return io_->find("/dyn-2") == nullptr; }));
}

// Children come and go on two shards while another thread broadcasts to them through the parent
// and fetches their sockets: under ASan, a child freed while in use shows here.
TEST_F(Lifecycle, ChildrenRemovedWhileTheParentBroadcasts) {
  sio::server_options opts;
  opts.threads = 2;
  opts.cleanup_empty_child_namespaces = true;
  io_ = std::make_unique<sio::server>(opts);
  auto& parent = io_->of(std::regex("^/dyn-\\d+$"));
  parent.on_connection([](sio::socket& s) {
    s.join("room");
    s.to("room").emit("joined", s.id());
  });
  listen();
  std::atomic<bool> done{false};
  std::thread broadcaster([&] {
    while (!done) {
      parent.to("room").emit("tick");
      parent.fetch_sockets([](const sio::fetch_result&) {});
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::unique_ptr<ws_client>> clients(4);  // two per shard
  for (auto& ws : clients) ws = connect_ws();
  for (int round = 0; round < 200; ++round) {
    for (auto& ws : clients) {
      auto nsp = "/dyn-" + std::to_string(round % 3);
      ws->send_text("40" + nsp + ",");
      ws->send_text("41" + nsp + ",");
    }
  }
  done = true;
  broadcaster.join();
  for (auto& ws : clients) {
    ws->send_text("40");
    std::string reply;
    while ((reply = ws->read()).substr(0, 2) != "40" || reply.substr(0, 3) == "40/") {
    }
    EXPECT_EQ(reply.substr(0, 8), R"(40{"sid")");
  }
}

// As Node's RegExp.test: a pattern anchored at the start only accepts longer names.
TEST_F(Lifecycle, RegexParentsSearchTheName) {
  start();
  io_->of(std::regex("^/find-\\d+"));
  listen();
  auto ws = connect_ws();
  ws->send_text("40/find-7x,");
  EXPECT_EQ(ws->read().substr(0, 17), R"(40/find-7x,{"sid")");
  ws->send_text("40/x/find-7,");
  EXPECT_EQ(ws->read(), R"(44/x/find-7,{"message":"Invalid namespace"})");
}

// io.of(name) for a name a regex parent matches makes its child, with the parent's middlewares
// and handlers before its own; new_namespace announces it, and children made on connection.
TEST_F(Lifecycle, OfANameARegexParentMatchesMakesItsChild) {
  start();
  std::mutex mutex;
  std::vector<std::string> announced;
  io_->on_new_namespace([&](sio::namespace_& nsp) {
    std::lock_guard lock(mutex);
    announced.push_back(nsp.name());
  });
  auto& parent = io_->of(std::regex("^/dyn-\\d+$"));
  parent.use([](sio::socket& s, const sio::next& next) {
    s.data() = "checked";
    next();
  });
  parent.on_connection([](sio::socket& s) { s.emit("parent", s.data()); });
  auto& child = io_->of("/dyn-0");
  child.on_connection([](sio::socket& s) { s.emit("child"); });
  io_->of("/static");
  listen();
  auto ws = connect_ws();
  ws->send_text("40/dyn-0,");
  EXPECT_EQ(ws->read().substr(0, 15), R"(40/dyn-0,{"sid")");
  EXPECT_EQ(ws->read(), R"(42/dyn-0,["parent","checked"])");
  EXPECT_EQ(ws->read(), R"(42/dyn-0,["child"])");
  ws->send_text("40/dyn-9,");
  EXPECT_EQ(ws->read().substr(0, 15), R"(40/dyn-9,{"sid")");
  std::lock_guard lock(mutex);
  EXPECT_EQ(announced, (std::vector<std::string>{"/dyn-0", "/static", "/dyn-9"}));
}

// Node's io.socketsJoin / fetchSockets on the server itself, and socket.send.
TEST_F(Lifecycle, ServerShortcutsAndSend) {
  start();
  io_->on_connection([](sio::socket& s) { s.send("hello", 1); });
  listen();
  auto ws = connect_ws();
  ws->send_text("40");
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  EXPECT_EQ(ws->read(), R"(42["message","hello",1])");
  io_->sockets_join({"all"});
  std::promise<std::set<sio::room>> rooms;
  io_->fetch_sockets([&](const sio::fetch_result& r) {
    rooms.set_value(r.sockets.empty() ? std::set<sio::room>{} : r.sockets[0].rooms());
  });
  EXPECT_TRUE(rooms.get_future().get().contains("all"));
}

// Conn listeners run inside sends: one that closes its connection while a broadcast writes to it
// must not free the session (and its client) under that broadcast (run under ASan in CI).
TEST_F(Lifecycle, ConnListenerClosingInsideABroadcast) {
  start();
  io_->on_connection([](sio::socket& s) {
    s.join("room");
    std::weak_ptr<eio::session> conn = s.conn();
    s.conn()->on_packet_create([conn](const eio::outgoing& p) {
      if (auto c = conn.lock(); c && p.bytes->find("bye") != std::string::npos) c->close(true);
    });
    s.conn()->on_drain([conn] {
      if (auto c = conn.lock()) c->close();
    });
    s.on("shout", [](sio::socket& s, const sio::args&) {
      s.nsp().to("room").emit("bye", sio::binary{"\x01"});  // two frames per recipient
    });
  });
  listen();
  auto first = connect_ws();
  auto second = connect_ws();
  first->send_text("40");
  second->send_text("40");
  EXPECT_EQ(first->read().substr(0, 8), R"(40{"sid")");
  EXPECT_EQ(second->read().substr(0, 8), R"(40{"sid")");
  first->send_text(R"(42["shout"])");
  EXPECT_TRUE(eventually([&] { return io_->engine().clients_count() == 0; }));
}

// Per-user rooms joined during authentication, as Node allows: they take effect on connection.
TEST_F(Lifecycle, RoomsJoinedInAMiddlewareAreJoinedOnConnection) {
  start();
  io_->use([](sio::socket& s, const sio::next& next) {
    s.join(std::vector<sio::room>{"user-" + s.handshake().auth["user"].as_string(), "temp"});
    s.leave("temp");
    next();
  });
  std::atomic<bool> rooms_seen{false};
  io_->on_connection([&](sio::socket& s) {
    rooms_seen = s.rooms() == std::set<sio::room>{s.id(), "user-42"};
  });
  listen();
  auto ws = connect_ws();
  ws->send_text(R"(40{"user":"42"})");
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  EXPECT_TRUE(eventually([&] { return rooms_seen.load(); }));
  io_->to("user-42").emit("hi");
  EXPECT_EQ(ws->read(), R"(42["hi"])");
}

class Acks : public Lifecycle {
 protected:
  /// Starts a server whose "/" keeps its socket in `socket_`, and connects a client that never
  /// acks.
  void connect(sio::server_options opts = {}) {
    start(std::move(opts));
    io_->on_connection([this](sio::socket& s) {
      s.on_disconnect([this](sio::socket&, sio::disconnect_reason) { disconnected_ = true; });
      socket_ = s.shared_from_this();
      connected_ = true;
    });
    listen();
    ws_ = connect_ws();
    ws_->send_text("40");
    EXPECT_TRUE(eventually([&] { return connected_.load(); }));
  }
  std::size_t pending_acks() {
    return on_shard(*io_, [&] { return socket_->pending_acks(); });
  }

  std::unique_ptr<ws_client> ws_;
  std::shared_ptr<sio::socket> socket_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> disconnected_{false};
};

TEST_F(Acks, TimedOutAcksAreForgotten) {
  connect();
  constexpr int count = 10'000;
  std::atomic<int> timed_out{0};
  io_->engine().post(0, [&] {
    for (int i = 0; i < count; ++i) {
      socket_->emit_with_ack(
          "ping", {},
          [&](const sio::ack_result& r) {
            if (r.error) ++timed_out;
          },
          10ms);
    }
  });
  EXPECT_TRUE(eventually([&] { return timed_out.load() == count; }));
  EXPECT_EQ(pending_acks(), 0u);
}

TEST_F(Acks, BroadcastAckEntriesExpireSilently) {
  connect();
  std::atomic<bool> called{false};
  io_->engine().post(0, [&] {
    for (int i = 0; i < 100; ++i)
      socket_->expect_ack([&](const sio::ack_result&) { called = true; }, 10ms,
                          sio_test::internals::key());
  });
  EXPECT_TRUE(eventually([&] { return pending_acks() == 0; }));
  EXPECT_FALSE(called);  // the broadcast reports what is missing, not each recipient
}

TEST_F(Acks, BroadcastAcksAreCappedAndForgottenOnDisconnect) {
  sio::server_options opts;
  opts.max_pending_acks = 100;
  connect(opts);
  for (int i = 0; i < 200; ++i) {
    sio::broadcast_operator(io_->of("/")).emit_with_ack("ping", {}, [](const sio::ack_result&) {});
  }
  EXPECT_TRUE(eventually([&] { return pending_acks() == 100; }));
  ws_.reset();
  EXPECT_TRUE(eventually([&] { return disconnected_.load(); }));
  EXPECT_EQ(pending_acks(), 0u);
}

TEST_F(Acks, OwnAcksPastTheCapFailTheOldest) {
  sio::server_options opts;
  opts.max_pending_acks = 2;
  connect(opts);
  std::vector<std::string> results;
  io_->engine().post(0, [&] {
    for (int i = 0; i < 3; ++i) {
      socket_->emit_with_ack("ping", {}, [&, i](const sio::ack_result& r) {
        results.push_back(std::to_string(i) + ":" + r.error.value_or("ok"));
      });
    }
  });
  ASSERT_TRUE(eventually([&] { return on_shard(*io_, [&] { return results.size(); }) == 1; }));
  EXPECT_EQ(on_shard(*io_, [&] { return results.front(); }), "0:too many pending acks");
  EXPECT_EQ(pending_acks(), 2u);
}

TEST_F(Acks, SocketUsedAfterItsConnectionIsGoneDoesNothing) {
  connect();
  ws_.reset();
  EXPECT_TRUE(eventually([&] { return disconnected_.load(); }));
  EXPECT_TRUE(eventually([&] { return io_->engine().clients_count() == 0; }));
  std::atomic<bool> called{false};
  io_->engine().post(0, [&] {
    socket_->emit("late");
    socket_->emit_with_ack("late", {}, [&](const sio::ack_result&) { called = true; });
    socket_->send_packet(sio::packet{sio::packet_type::event, "/", std::nullopt,
                                     sio::value(sio::array{sio::value("late")})},
                         {}, sio_test::internals::key());
    socket_->transport();
    EXPECT_EQ(socket_->handshake().auth, sio::value(sio::object{}));
  });
  EXPECT_EQ(pending_acks(), 0u);
  EXPECT_FALSE(called);
}

TEST_F(Lifecycle, AckFromAnotherThreadIsSentByTheShard) {
  start();
  io_->on_connection([](sio::socket& s) {
    s.on("work", [](sio::socket& s, const sio::args&, sio::ack ack) {
      // The worker's ack must wait for the shard, which emits before it is free again.
      std::thread([ack] { ack("done"); }).join();
      s.emit("before");
    });
  });
  listen();
  auto ws = connect_ws();
  ws->send_text("40");
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  ws->send_text(R"(421["work"])");
  EXPECT_EQ(ws->read(), R"(42["before"])");
  EXPECT_EQ(ws->read(), R"(431["done"])");
}

TEST_F(Lifecycle, HandlersThrowingNonStandardExceptionsAreLogged) {
  start();
  io_->of("/refuse").use([](sio::socket&, sio::next) { throw 42; });
  io_->on_connection([](sio::socket& s) {
    s.emit("hello");
    throw 42;
  });
  listen();
  auto ws = connect_ws();
  ws->send_text("40/refuse,");
  EXPECT_EQ(ws->read(), R"(44/refuse,{"message":"middleware error"})");
  ws->send_text("40");
  EXPECT_EQ(ws->read().substr(0, 8), R"(40{"sid")");
  EXPECT_EQ(ws->read(), R"(42["hello"])");
}

}  // namespace
