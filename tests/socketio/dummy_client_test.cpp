// Socket.IO cases in wire strings through sio_test::dummy_client: a real server and its shards,
// no sockets and no Node.

#include "support/dummy_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <stdexcept>
#include <thread>

#include "socketio/socketio.hpp"

using sio_test::dummy_client;

class DummyClient : public ::testing::Test {
 protected:
  void SetUp() override {
    io_.on_connection([](sio::socket& s) {
      s.on("double",
           [](sio::socket&, const sio::args& a, sio::ack ack) { ack(a[0].as_int() * 2); });
      s.on("bytes",
           [](sio::socket& s, const sio::args& a) { s.emit("size", a[0].as_binary().size()); });
      s.on("throw", [](sio::socket&, const sio::args&) { throw std::runtime_error("boom"); });
      s.on("ask", [](sio::socket& s, const sio::args&) {
        s.emit_with_ack("question", {}, [](const sio::ack_result&) {});
      });
    });
    io_.start();
  }
  void TearDown() override { io_.stop(); }

  sio::server io_;
};

TEST_F(DummyClient, ConnectsEmitsAndGetsItsAck) {
  dummy_client c(io_);
  c.send("40");
  EXPECT_EQ(c.next()->substr(0, 9), R"(40{"sid":)");
  c.send(R"(421["double",21])");
  EXPECT_EQ(c.next(), "431[42]");
}

TEST_F(DummyClient, AnUnknownNamespaceIsRefusedAsNodeDoes) {
  dummy_client c(io_);
  c.send("40/nowhere,");
  EXPECT_EQ(c.next(), R"(44/nowhere,{"message":"Invalid namespace"})");
}

TEST_F(DummyClient, BinaryAttachmentsAreReassembled) {
  dummy_client c(io_);
  c.send("40");
  c.next();
  c.send(R"(451-["bytes",{"_placeholder":true,"num":0}])");
  c.send_binary(std::string(3, '\0'));
  EXPECT_EQ(c.next(), R"(42["size",3])");
}

TEST_F(DummyClient, AThrowingHandlerIsLoggedAndTheSocketGoesOn) {
  dummy_client c(io_);
  c.send("40");
  c.next();
  c.send(R"(42["throw"])");
  c.send(R"(421["double",1])");
  EXPECT_EQ(c.next(), "431[2]");
}

TEST_F(DummyClient, AMalformedPacketClosesTheConnection) {
  dummy_client c(io_);
  c.send("40");
  c.next();
  c.send("42[");
  EXPECT_TRUE(c.closed());
}

// Callbacks the server calls later log what they throw; the shard goes on.
TEST_F(DummyClient, ThrowingOperationCallbacksAreLogged) {
  dummy_client c(io_);
  c.send("40");
  c.next();
  std::promise<void> fetched;
  io_.of("/").fetch_sockets([&](const sio::fetch_result&) {
    fetched.set_value();
    throw std::runtime_error("fetch callback");
  });
  fetched.get_future().wait();
  io_.timeout(std::chrono::milliseconds(10)).emit_with_ack("ask", {}, [](const sio::ack_result&) {
    throw 42;
  });
  EXPECT_EQ(c.next()->substr(0, 2), "42");  // the broadcast asking for an ack
  c.send(R"(421["double",4])");
  EXPECT_EQ(c.next(), "431[8]");
}

// Node's off(event, fn), offAny(fn), prependAnyOutgoing, removeAllListeners and the listener
// counts, with listener ids standing for the functions.
TEST(DummyClientListeners, ListenersComeOffOneByOneOrAllTogether) {
  sio::server io;
  auto outgoing = std::make_shared<std::vector<std::string>>();
  io.on_connection([outgoing](sio::socket& s) {
    auto first = s.on("ping", [](sio::socket& s, const sio::args&) { s.emit("pong", "first"); });
    s.on("ping", [](sio::socket& s, const sio::args&) { s.emit("pong", "second"); });
    auto any = s.on_any([](sio::socket& s, const std::string& event, const sio::args&) {
      if (event == "ping") s.emit("any");
    });
    s.on_any_outgoing([outgoing](sio::socket&, const std::string& e, const sio::args&) {
      outgoing->push_back("appended " + e);
    });
    s.prepend_any_outgoing([outgoing](sio::socket&, const std::string& e, const sio::args&) {
      outgoing->push_back("prepended " + e);
    });
    s.on("drop", [first, any](sio::socket& s, const sio::args&, sio::ack ack) {
      s.off("ping", first);
      s.off_any(any);
      ack(s.listener_count("ping"), s.any_listener_count(), s.any_outgoing_listener_count());
    });
    s.on("clear", [](sio::socket& s, const sio::args&, sio::ack ack) {
      s.remove_all_listeners();
      ack(s.listener_count("ping") + s.listener_count("clear"));
    });
  });
  io.start();
  dummy_client c(io);
  c.send("40");
  c.next();
  c.send(R"(42["ping"])");
  EXPECT_EQ(c.next(), R"(42["any"])");
  EXPECT_EQ(c.next(), R"(42["pong","first"])");
  EXPECT_EQ(c.next(), R"(42["pong","second"])");
  c.send(R"(421["drop"])");
  EXPECT_EQ(c.next(), "431[1,0,2]");
  c.send(R"(42["ping"])");
  EXPECT_EQ(c.next(), R"(42["pong","second"])");
  c.send(R"(422["clear"])");
  EXPECT_EQ(c.next(), "432[0]");
  c.send(R"(42["ping"])");
  c.send(R"(423["clear"])");  // no handler left: no answer either
  EXPECT_EQ(c.next(std::chrono::milliseconds(200)), std::nullopt);
  io.stop();
  ASSERT_GE(outgoing->size(), 2u);
  EXPECT_EQ((*outgoing)[0], "prepended any");
  EXPECT_EQ((*outgoing)[1], "appended any");
}

// Node's nsp.sockets.size: the sockets connected to the namespace on this server.
TEST_F(DummyClient, SocketCountFollowsConnectsAndDisconnects) {
  EXPECT_EQ(io_.of("/").socket_count(), 0u);
  dummy_client a(io_);
  dummy_client b(io_);
  for (auto* c : {&a, &b}) {
    c->send("40");
    c->next();  // counted before its CONNECT answer goes out
  }
  EXPECT_EQ(io_.of("/").socket_count(), 2u);
  a.send("41");
  for (int i = 0; i < 200 && io_.of("/").socket_count() != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(io_.of("/").socket_count(), 1u);
  EXPECT_EQ(io_.of("/chat").socket_count(), 0u);
}

// Each socket counts its own ack ids (Node counts per namespace), from a random start,
// broadcasts with acks included: each recipient gets the next id of its own count.
TEST_F(DummyClient, AckIdsCountPerSocket) {
  dummy_client a(io_);
  dummy_client b(io_);
  for (auto* c : {&a, &b}) {
    c->send("40");
    c->next();
  }
  // The id of a "42<id>[...]" frame.
  auto id_of = [](const std::optional<std::string>& frame) -> std::uint64_t {
    EXPECT_TRUE(frame && frame->starts_with("42")) << frame.value_or("nothing");
    return frame ? std::stoull(frame->substr(2)) : 0;
  };
  a.send(R"(42["ask"])");
  auto first_of_a = id_of(a.next());
  b.send(R"(42["ask"])");
  auto first_of_b = id_of(b.next());
  EXPECT_LT(std::max(first_of_a, first_of_b), std::uint64_t{1} << 30);

  std::promise<sio::ack_result> answers;
  io_.of("/").timeout(std::chrono::seconds(5)).emit_with_ack("all", {}, [&](sio::ack_result r) {
    answers.set_value(std::move(r));
  });
  auto frame_a = a.next();
  auto frame_b = b.next();
  EXPECT_EQ(id_of(frame_a), first_of_a + 1);
  EXPECT_EQ(id_of(frame_b), first_of_b + 1);
  a.send("43" + std::to_string(first_of_a + 1) + R"(["from a"])");
  b.send("43" + std::to_string(first_of_b + 1) + R"(["from b"])");
  auto r = answers.get_future().get();
  EXPECT_FALSE(r.error);
  ASSERT_EQ(r.values.size(), 2u);
  EXPECT_NE(r.values[0].as_string(), r.values[1].as_string());
}

// Node's synchronous nsp.sockets keys, adapter.rooms, adapter.rooms.get(r) and
// adapter.socketRooms(id), here from a thread of no shard, over sockets on both shards.
TEST(DummyClientLookups, SocketsAndRoomsFromAnyThread) {
  sio::server io({.threads = 2});
  io.on_connection([](sio::socket& s) {
    s.on("join", [](sio::socket& s, const sio::args& a, sio::ack ack) {
      s.join(a[0].as_string());
      ack(s.id());
    });
    s.on("leave", [](sio::socket& s, const sio::args& a, sio::ack ack) {
      s.leave(a[0].as_string());
      ack();
    });
  });
  io.start();
  dummy_client a(io, engineio::protocol_version::v4, 0);
  dummy_client b(io, engineio::protocol_version::v4, 1);
  std::string ids[2];
  int n = 0;
  for (auto* c : {&a, &b}) {
    c->send("40");
    c->next();
    c->send(R"(421["join","lobby"])");
    auto reply = c->next().value();  // 431["<id>"]
    ids[n++] = reply.substr(5, reply.size() - 7);
  }
  auto& adapter = io.of("/").adapter();
  auto listed = adapter.socket_ids();
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()),
            (std::set<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(adapter.room_members("lobby"), (std::set<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(adapter.socket_rooms(ids[1]), (std::set<sio::room>{ids[1], "lobby"}));
  EXPECT_EQ(adapter.socket_rooms("nobody"), std::nullopt);
  auto rooms = adapter.rooms();
  EXPECT_EQ(rooms.size(), 3u);  // lobby and each socket's own room
  EXPECT_EQ(rooms[ids[0]], (std::set<std::string>{ids[0]}));

  b.send(R"(422["leave","lobby"])");
  EXPECT_EQ(b.next(), "432[]");
  EXPECT_EQ(adapter.room_members("lobby"), (std::set<std::string>{ids[0]}));
  a.send("41");
  for (int i = 0; i < 200 && adapter.socket_rooms(ids[0]); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(adapter.socket_rooms(ids[0]), std::nullopt);
  EXPECT_TRUE(adapter.room_members("lobby").empty());
  io.stop();
}

// Node's io.send(...) (a "message" event to everyone) and io.allSockets() (the ids, cluster-wide).
TEST_F(DummyClient, SendAndAllSockets) {
  dummy_client a(io_);
  dummy_client b(io_);
  for (auto* c : {&a, &b}) {
    c->send("40");
    c->next();
  }
  io_.send("hi", 1);
  EXPECT_EQ(a.next(), R"(42["message","hi",1])");
  EXPECT_EQ(b.next(), R"(42["message","hi",1])");
  std::promise<std::set<std::string>> listed;
  io_.all_sockets([&](std::set<std::string> ids, const std::optional<std::string>& error) {
    EXPECT_FALSE(error);
    listed.set_value(std::move(ids));
  });
  auto ids = listed.get_future().get();
  EXPECT_EQ(ids.size(), 2u);
  auto local = io_.of("/").adapter().socket_ids();
  EXPECT_EQ(ids, std::set<std::string>(local.begin(), local.end()));
}
