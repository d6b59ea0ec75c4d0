// The Socket.IO layer on 127.0.0.1:0 with one and two shards, driven in wire strings by Beast
// clients: connect over polling, upgrade to WebSocket, and an event with an ack.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "socketio/socketio.hpp"
#include "support/loopback.hpp"
#include "support/tls_client.hpp"

using namespace std::chrono_literals;
using sio_test::send_http;
using sio_test::sid_of;
using sio_test::ws_client;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

class SocketioLoopback : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    sio::server_options opts;
    opts.threads = GetParam();
    io_ = std::make_unique<sio::server>(opts);
    io_->on_connection([this](sio::socket& s) {
      s.on_upgrade([this](sio::socket& s) {
        upgraded_transport_ = std::string(s.transport());
        upgraded_ = true;
      });
      s.on("double",
           [](sio::socket&, const sio::args& a, sio::ack ack) { ack(a[0].as_int() * 2); });
      // A cluster adapter may hand any `data` to broadcast: here an object, not an array.
      s.on("object broadcast", [](sio::socket& s, const sio::args&) {
        s.nsp().adapter().broadcast(
            {sio::packet_type::event, "/", std::nullopt, sio::object{{"a", 1}}}, {});
      });
      s.on_any_outgoing(
          [this](sio::socket&, const std::string&, const sio::args&) { ++outgoing_; });
    });
    io_->listen("127.0.0.1", 0);
    io_->start();
  }
  void TearDown() override { io_->stop(); }

  std::unique_ptr<sio::server> io_;
  std::atomic<bool> upgraded_{false};
  std::atomic<int> outgoing_{0};
  std::string upgraded_transport_;
};

TEST_P(SocketioLoopback, ConnectsOverPollingUpgradesAndAcks) {
  auto port = io_->port();
  const std::string base = "/socket.io/?EIO=4&transport=polling";
  auto sid = sid_of(send_http(port, http::verb::get, base).body);
  EXPECT_EQ(send_http(port, http::verb::post, base + "&sid=" + sid, "40").body, "ok");
  auto connected = send_http(port, http::verb::get, base + "&sid=" + sid).body;
  EXPECT_EQ(connected.substr(0, 9), R"(40{"sid":)");

  ws_client ws(port, "/socket.io/?EIO=4&transport=websocket&sid=" + sid);
  ws.send_text("2probe");
  EXPECT_EQ(ws.read(), "3probe");
  ws.send_text("5");
  ws.send_text(R"(421["double",21])");
  EXPECT_EQ(ws.read(), "431[42]");
  EXPECT_TRUE(upgraded_);
  EXPECT_EQ(upgraded_transport_, "websocket");
}

namespace {

// A WebSocket client with a tiny receive buffer that reads its handshake and then nothing.
class stalled_client {
 public:
  explicit stalled_client(std::uint16_t port) : ws_(ctx_) {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.open(tcp::v4());
    socket.set_option(boost::asio::socket_base::receive_buffer_size(4096));
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    ws_.handshake("127.0.0.1", "/socket.io/?EIO=4&transport=websocket");
    beast::flat_buffer buffer;
    ws_.read(buffer);  // the open packet
    ws_.text(true);
    ws_.write(boost::asio::buffer(std::string("40")));
  }

 private:
  boost::asio::io_context ctx_;
  websocket::stream<beast::tcp_stream> ws_;
};

}  // namespace

// Clients that stop reading pass max_buffered_bytes in the middle of a broadcast. Before, their
// sessions closed inside the room walk (a use-after-free: SIGSEGV, or an ASan report), and the
// disconnect handler below broadcast again from inside it.
TEST_P(SocketioLoopback, ClientsThatStopReadingAreDroppedWhileTheOthersAreServed) {
  sio::server_options opts;
  opts.threads = GetParam();
  opts.engine.max_buffered_bytes = std::size_t{256} * 1024;
  sio::server io(opts);
  std::atomic<int> dropped{0};
  io.on_connection([&](sio::socket& s) {
    s.join("room");
    s.on_disconnect([&](sio::socket& s, sio::disconnect_reason reason) {
      if (reason == sio::disconnect_reason::transport_error) ++dropped;
      s.nsp().to("room").emit("left", s.id());
    });
  });
  io.listen("127.0.0.1", 0);
  io.start();

  std::vector<std::unique_ptr<stalled_client>> stalled;
  stalled.reserve(3);
  for (int i = 0; i < 3; ++i) stalled.push_back(std::make_unique<stalled_client>(io.port()));
  ws_client reader(io.port(), "/socket.io/?EIO=4&transport=websocket");
  reader.read();  // open packet
  reader.send_text("40");
  EXPECT_EQ(reader.read().substr(0, 2), "40");

  // The next frame carrying `event`, skipping pings and the "left" notices.
  auto next_event = [&](const std::string& event) {
    auto frame = reader.read();
    while (frame.rfind("42[\"" + event + "\"", 0) != 0) frame = reader.read();
    return frame;
  };
  // Far more than the stalled clients' socket buffers and limit take.
  const std::string chunk(std::size_t{16} * 1024, 'x');
  for (int i = 0; i < 4000 && dropped < 3; ++i) {
    io.to("room").emit("chat", chunk);
    next_event("chat");  // the reader gets every one
  }
  EXPECT_EQ(dropped, 3);
  io.emit("still", "here");
  EXPECT_EQ(next_event("still"), R"(42["still","here"])");
  io.stop();
}

// The outgoing listeners see events only: data that is not an array with a name is not one.
TEST_P(SocketioLoopback, OutgoingListenersSkipBroadcastsThatAreNotEvents) {
  auto port = io_->port();
  ws_client ws(port, "/socket.io/?EIO=4&transport=websocket");
  EXPECT_EQ(ws.read().substr(0, 1), "0");
  ws.send_text("40");
  EXPECT_EQ(ws.read().substr(0, 2), "40");
  ws.send_text(R"(42["object broadcast"])");
  EXPECT_EQ(ws.read(), R"(42{"a":1})");
  ws.send_text(R"(421["double",2])");
  EXPECT_EQ(ws.read(), "431[4]");
  EXPECT_EQ(outgoing_, 0);
}

// Room events come once per process (a room on both shards is created and deleted once), in the
// order the rooms changed, on shard 0; a handler that throws is logged and the others still run.
TEST_P(SocketioLoopback, RoomEventsComeOncePerProcessInOrder) {
  sio::server_options opts;
  opts.threads = GetParam();
  sio::server io(opts);
  std::mutex mutex;
  std::vector<std::string> seen;      // events of "room" only: the sockets' own rooms come too
  std::map<std::string, char> names;  // socket id -> 'a' or 'b'
  auto record = [&](std::string event, const std::string& room) {
    if (room != "room") return;
    std::lock_guard lock(mutex);
    seen.push_back(std::move(event));
  };
  auto& adapter = io.of("/").adapter();
  adapter.on_create_room([](const sio::room&) { throw std::runtime_error("a faulty handler"); });
  adapter.on_create_room([&](const sio::room& r) { record("create", r); });
  adapter.on_delete_room([&](const sio::room& r) { record("delete", r); });
  adapter.on_join_room([&](const sio::room& r, const std::string& id) {
    std::lock_guard lock(mutex);
    if (r == "room") seen.push_back(std::string("join ") + names[id]);
  });
  adapter.on_leave_room([&](const sio::room& r, const std::string& id) {
    std::lock_guard lock(mutex);
    if (r == "room") seen.push_back(std::string("leave ") + names[id]);
  });
  io.on_connection([&](sio::socket& s) {
    {
      std::lock_guard lock(mutex);
      names[s.id()] = static_cast<char>('a' + names.size());
    }
    s.join("room");
    s.on("leave", [](sio::socket& s, const sio::args&, sio::ack ack) {
      s.leave("room");
      ack();
    });
    s.on("sync", [](sio::socket&, const sio::args&, sio::ack ack) { ack(); });
  });
  io.listen("127.0.0.1", 0);
  io.start();

  auto connect = [&] {
    auto c = std::make_unique<ws_client>(io.port(), "/socket.io/?EIO=4&transport=websocket");
    c->read();  // open packet
    c->send_text("40");
    EXPECT_EQ(c->read().substr(0, 2), "40");
    c->send_text(R"(421["sync"])");  // answered once the connection handler has joined
    EXPECT_EQ(c->read(), "431[]");
    return c;
  };
  auto a = connect();
  auto b = connect();  // with two shards, on the other one
  a->send_text(R"(422["leave"])");
  EXPECT_EQ(a->read(), "432[]");
  b->send_text("41");
  const std::vector<std::string> expected{"create",  "join a",  "join b",
                                          "leave a", "leave b", "delete"};
  for (int i = 0; i < 500; ++i) {  // the events are posted: wait for them, up to 5 s
    {
      std::lock_guard lock(mutex);
      if (seen.size() >= expected.size()) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  io.stop();
  EXPECT_EQ(seen, expected);
}

INSTANTIATE_TEST_SUITE_P(Shards, SocketioLoopback, ::testing::Values(1u, 2u),
                         [](const auto& info) { return std::to_string(info.param) + "_shards"; });

// Node's `path` without its slash: clients and the client bundle are both under "/my/".
// handshake.secure says whether the client came over TLS, as Node's socket.encrypted.
TEST(SocketioTls, TheHandshakeIsSecureOnATlsListenerOnly) {
  sio::server io(sio::server_options{});
  std::mutex mutex;
  std::vector<bool> secure;
  io.on_connection([&](sio::socket& s) {
    std::lock_guard lock(mutex);
    secure.push_back(s.handshake().secure);
  });
  auto certs = sio_test::test_certs();
  auto tls_port = io.listen(
      "127.0.0.1", 0,
      {.cert_file = (certs / "server.pem").string(), .key_file = (certs / "server.key").string()});
  auto plain_port = io.listen("127.0.0.1", 0);
  io.start();
  auto joined = [&](std::size_t count) {
    for (int i = 0; i < 500; ++i) {
      if (std::lock_guard lock(mutex); secure.size() >= count) return secure;
      std::this_thread::sleep_for(10ms);
    }
    std::lock_guard lock(mutex);
    return secure;
  };

  sio_test::tls_client client(tls_port, certs / "ca.pem");
  ASSERT_FALSE(client.handshake_error);
  auto sid = sid_of(client.get("/socket.io/?EIO=4&transport=polling").body());
  EXPECT_EQ(client.post("/socket.io/?EIO=4&transport=polling&sid=" + sid, "40").body(), "ok");
  EXPECT_EQ(joined(1), std::vector<bool>{true});

  auto plain =
      sid_of(send_http(plain_port, http::verb::get, "/socket.io/?EIO=4&transport=polling").body);
  send_http(plain_port, http::verb::post, "/socket.io/?EIO=4&transport=polling&sid=" + plain, "40");
  EXPECT_EQ(joined(2), (std::vector<bool>{true, false}));
}

TEST(SocketioPath, APathWithoutItsSlashWorksAsInNode) {
  sio::server_options opts;
  opts.path = "/my";
  sio::server io(opts);
  io.listen("127.0.0.1", 0);
  io.start();
  EXPECT_EQ(send_http(io.port(), http::verb::get, "/my/?EIO=4&transport=polling").status, 200u);
  EXPECT_EQ(send_http(io.port(), http::verb::get, "/my/socket.io.min.js").status, 200u);
  io.stop();
}
