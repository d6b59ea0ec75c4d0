// Routes, mounts and raw WebSocket endpoints beside the Engine.IO path, on one and two shards.

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "engineio/server.hpp"
#include "support/loopback.hpp"

using namespace engineio;
using namespace std::chrono_literals;
using sio_test::send_http;
using sio_test::ws_client;
namespace http = boost::beast::http;

namespace {

struct silent_handler : handler {
  void on_open(session&) override {}
  void on_message(session&, std::string_view) override {}
  void on_binary(session&, std::string_view) override {}
  void on_close(session&, close_reason) override {}
};

class Routes : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<server>(options{}, events_, GetParam());
    server_->route("GET", "/health",
                   [](const http_request&) { return http_response::text(200, "ok"); });
    server_->route("POST", "/echo", [](const http_request& req) {
      return http_response::text(200, req.method + " " + req.path + " " + req.body);
    });
    // Response splitting: a header from the app that carries CR or LF.
    server_->route("GET", "/split", [](const http_request& req) {
      return http_response::text(200, "moved")
          .set("Location", std::string(*req.query_param("next")));
    });
    server_->route("GET", "/bad-name", [](const http_request&) {
      return http_response::text(200, "x").set("X-A\r\nX-B", "1");
    });
    server_->route("GET", "/throws",
                   [](const http_request&) -> http_response { throw std::runtime_error("boom"); });
    // An exact route inside the Engine.IO path wins over it (socket.io's client bundle does so).
    server_->route("*", "/engine.io/file.js",
                   [](const http_request&) { return http_response::text(200, "file"); });
    server_->mount("/static", [](const http_request& req) {
      return http_response::text(200, "static " + req.path + " " + req.url);
    });
    server_->mount(
        "/", [](const http_request& req) { return http_response::text(200, "root " + req.path); });
    server_->websocket("/ws",
                       {.on_message = [](websocket_peer& peer, std::string_view data, bool binary) {
                         binary ? peer.send_binary(data) : peer.send_text(std::string(data) + "!");
                       }});
    // A slow on_open: the client must not see the socket open before it is done.
    server_->websocket("/greet",
                       {.on_open =
                            [this](websocket_peer& peer) {
                              std::this_thread::sleep_for(100ms);
                              greeted_ = true;
                              peer.send_text("welcome");
                            },
                        .on_close = [this](websocket_peer&, std::uint16_t) { ++closed_; }});
    server_->websocket("/throws",
                       {.on_message = [](websocket_peer& peer, std::string_view data, bool) {
                         if (data == "boom") throw std::runtime_error("boom");
                         peer.send_text(data);
                       }});
    server_->websocket("/refuse", {.on_open = [](websocket_peer& peer) { peer.close(4001); }});
    server_->listen("127.0.0.1", 0);
    server_->start();
  }
  void TearDown() override { server_->stop(); }
  std::uint16_t port() const { return server_->port(); }

  silent_handler events_;
  std::atomic<bool> greeted_ = false;
  std::atomic<int> closed_ = 0;
  std::unique_ptr<server> server_;
};

TEST_P(Routes, ExactRoutesByMethod) {
  EXPECT_EQ(send_http(port(), http::verb::get, "/health").body, "ok");
  EXPECT_EQ(send_http(port(), http::verb::post, "/echo?x=1", "hi").body, "POST /echo hi");
  // Another method on a routed path falls through to the mounts, as in express.
  EXPECT_EQ(send_http(port(), http::verb::get, "/echo").body, "root /echo");
}

TEST_P(Routes, HeadIsAnsweredByGetRoutesWithoutABody) {
  auto res = send_http(port(), http::verb::head, "/health");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.body, "");
}

TEST_P(Routes, AThrowingHandlerGets500AndTheServerGoesOn) {
  EXPECT_EQ(send_http(port(), http::verb::get, "/throws").status, 500u);
  EXPECT_EQ(send_http(port(), http::verb::get, "/health").body, "ok");
}

// Node's setHeader throws ERR_INVALID_CHAR / ERR_INVALID_HTTP_TOKEN, and express answers 500.
TEST_P(Routes, HeadersWithControlCharactersNeverReachTheWire) {
  auto split = send_http(port(), http::verb::get, "/split?next=%2Fa%0D%0ASet-Cookie%3A%20x%3D1");
  EXPECT_EQ(split.status, 500u);
  EXPECT_EQ(split.body, "Internal Server Error");
  EXPECT_EQ(send_http(port(), http::verb::get, "/split?next=%2Fa%0Ab").status, 500u);
  EXPECT_EQ(send_http(port(), http::verb::get, "/split?next=%2Fa%00b").status, 500u);
  EXPECT_EQ(send_http(port(), http::verb::get, "/bad-name").status, 500u);
  // Tabs and bytes past ASCII are allowed, as in Node.
  EXPECT_EQ(send_http(port(), http::verb::get, "/split?next=%2F%C3%A9%09x").status, 200u);
}

TEST_P(Routes, EngineIoPathComesBetweenExactRoutesAndMounts) {
  EXPECT_EQ(send_http(port(), http::verb::get, "/engine.io/file.js").body, "file");
  auto handshake = send_http(port(), http::verb::get, "/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(handshake.status, 200u);
  EXPECT_EQ(handshake.body.substr(0, 8), "0{\"sid\":");
  // The mount at "/" does not get Engine.IO's requests, even bad ones.
  EXPECT_EQ(send_http(port(), http::verb::get, "/engine.io/?EIO=4").status, 400u);
}

TEST_P(Routes, LongestMountWinsAndSeesThePathRelativeToIt) {
  EXPECT_EQ(send_http(port(), http::verb::get, "/static/css/a.css?v=2").body,
            "static /css/a.css /static/css/a.css?v=2");
  EXPECT_EQ(send_http(port(), http::verb::get, "/static").body, "static / /static");
  EXPECT_EQ(send_http(port(), http::verb::get, "/staticky").body, "root /staticky");
}

TEST_P(Routes, RawWebSocketEndpoint) {
  ws_client a(port(), "/ws");
  a.send_text("hello");
  EXPECT_EQ(a.read(), "hello!");
  a.send_binary(std::string("\x00\x01", 2));
  EXPECT_EQ(a.read(), std::string("<bin>\x00\x01", 7));
  // Engine.IO WebSockets still work next to it.
  ws_client b(port(), "/engine.io/?EIO=4&transport=websocket");
  EXPECT_EQ(b.read().substr(0, 8), "0{\"sid\":");
}

// As with `ws`, whose "connection" comes before the client's "open" can: once a client sees its
// socket open, the server knows it, and what on_open sent comes first.
TEST_P(Routes, OnOpenIsDoneBeforeTheHandshakeIsAnswered) {
  ws_client c(port(), "/greet");
  EXPECT_TRUE(greeted_);
  EXPECT_EQ(c.read(), "welcome");
}

TEST_P(Routes, ARefusedUpgradeNeverReachesTheHandler) {
  boost::asio::io_context ctx;
  boost::asio::ip::tcp::socket socket(ctx);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port()});
  boost::asio::write(socket, boost::asio::buffer(std::string(
                                 "GET /greet HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                                 "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n")));
  std::string answer(12, '\0');
  boost::asio::read(socket, boost::asio::buffer(answer));
  EXPECT_EQ(answer, "HTTP/1.1 400");  // no Sec-WebSocket-Key
  EXPECT_FALSE(greeted_);
  std::this_thread::sleep_for(50ms);  // time for a wrong on_close to come
  EXPECT_EQ(closed_, 0);
}

TEST_P(Routes, AThrowingWebSocketHandlerIsLoggedAndThePeerGoesOn) {
  ws_client c(port(), "/throws");
  c.send_text("boom");
  c.send_text("still here");
  EXPECT_EQ(c.read(), "still here");
}

TEST_P(Routes, OnOpenMayCloseThePeer) {
  ws_client c(port(), "/refuse");
  try {
    c.read();
    ADD_FAILURE() << "a frame came instead of the close";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), boost::beast::websocket::error::closed);
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, Routes, ::testing::Values(1u, 2u));

}  // namespace
