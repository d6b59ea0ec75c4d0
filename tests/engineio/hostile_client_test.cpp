// Clients that misbehave on purpose: one that never reads, one that sends half a request. The
// server must answer as documented and keep its memory bounded, with one and two shards.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "engineio/server.hpp"
#include "support/loopback.hpp"

using namespace engineio;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// Answers every message with 256 KiB, so a client that keeps sending but never reads makes the
// server's writes stall once the socket buffers are full.
struct flooding_handler : handler {
  void on_open(session&) override {}
  void on_message(session& s, std::string_view) override {
    const std::string chunk(std::size_t{64} * 1024, 'x');
    for (int i = 0; i < 4; ++i) s.send_text(chunk);
  }
  void on_binary(session&, std::string_view) override {}
  void on_close(session&, close_reason reason) override {
    last_close = reason;
    closed = true;
  }
  std::atomic<bool> closed{false};
  std::atomic<close_reason> last_close{close_reason::forced_close};
};

class HostileClient : public ::testing::TestWithParam<unsigned> {
 protected:
  void start(options o) {
    server_ = std::make_unique<server>(std::move(o), events_, GetParam());
    server_->listen("127.0.0.1", 0);
    server_->start();
  }
  void TearDown() override { server_->stop(); }

  flooding_handler events_;
  std::unique_ptr<server> server_;
};

}  // namespace

TEST_P(HostileClient, ClientThatNeverReadsIsClosedOnceItsQueueIsFull) {
  options o;
  o.max_buffered_bytes = 1 << 20;
  start(o);
  asio::io_context ctx;
  websocket::stream<beast::tcp_stream> ws(ctx);
  beast::get_lowest_layer(ws).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  ws.handshake("127.0.0.1", "/engine.io/?EIO=4&transport=websocket");
  // Keep asking, never read: the kernel buffers fill, the writes stall, the queue passes its limit.
  beast::error_code ec;
  for (int i = 0; i < 400 && !events_.closed && !ec; ++i) {
    ws.write(asio::buffer(std::string("4more")), ec);
    std::this_thread::sleep_for(1ms);
  }
  for (int i = 0; i < 500 && !events_.closed; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(events_.closed);
  EXPECT_EQ(events_.last_close, close_reason::transport_error);
  EXPECT_EQ(server_->clients_count(), 0u);
}

TEST_P(HostileClient, HalfSentRequestTimesOutWith408) {
  options o;
  o.request_timeout = 1s;
  start(o);
  asio::io_context ctx;
  tcp::socket socket(ctx);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  asio::write(
      socket,
      asio::buffer(std::string("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n")));
  std::string answer;
  beast::error_code ec;
  char buf[512];
  for (;;) {
    auto n = socket.read_some(asio::buffer(buf), ec);
    if (ec) break;
    answer.append(buf, n);
  }
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 408");
  EXPECT_EQ(ec, asio::error::eof);  // and the server closed the connection
}

TEST_P(HostileClient, RawWebSocketPeerThatNeverReadsIsClosedOnceItsQueueIsFull) {
  options o;
  o.max_buffered_bytes = 1 << 20;
  std::atomic<bool> peer_closed{false};
  server_ = std::make_unique<server>(std::move(o), events_, GetParam());
  server_->websocket("/raw",
                     {.on_message =
                          [](websocket_peer& peer, std::string_view, bool) {
                            const std::string chunk(std::size_t{64} * 1024, 'x');
                            for (int i = 0; i < 4; ++i) peer.send_text(chunk);
                          },
                      .on_close = [&](websocket_peer&, std::uint16_t) { peer_closed = true; }});
  server_->listen("127.0.0.1", 0);
  server_->start();
  asio::io_context ctx;
  websocket::stream<beast::tcp_stream> ws(ctx);
  beast::get_lowest_layer(ws).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  ws.handshake("127.0.0.1", "/raw");
  beast::error_code ec;
  for (int i = 0; i < 400 && !peer_closed && !ec; ++i) {
    ws.write(asio::buffer(std::string("more")), ec);
    std::this_thread::sleep_for(1ms);
  }
  for (int i = 0; i < 1000 && !peer_closed; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(peer_closed);
}

TEST_P(HostileClient, SlowReaderOfALargeAnswerIsDroppedAfterTheRequestTimeout) {
  options o;
  o.request_timeout = 1s;
  server_ = std::make_unique<server>(std::move(o), events_, GetParam());
  server_->route("GET", "/big", [](const http_request&) {
    return http_response::text(200, std::string(std::size_t{32} << 20, 'x'));
  });
  server_->listen("127.0.0.1", 0);
  server_->start();
  asio::io_context ctx;
  tcp::socket socket(ctx);
  // Far below 32 MiB, yet well above one segment: a window under a segment drains what the
  // server's kernel still holds at one delayed ACK (40 ms) a segment, which took 100 s.
  socket.open(tcp::v4());
  socket.set_option(asio::socket_base::receive_buffer_size(256 * 1024));
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  asio::write(socket, asio::buffer(std::string("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::this_thread::sleep_for(2500ms);  // never read while the server's write times out
  // What the kernel had already taken in is readable; then the connection ends, short of 32 MiB.
  std::size_t received = 0;
  beast::error_code ec;
  char buf[65536];
  while (!ec) received += socket.read_some(asio::buffer(buf), ec);
  EXPECT_LT(received, std::size_t{32} << 20);
}

INSTANTIATE_TEST_SUITE_P(Shards, HostileClient, ::testing::Values(1u, 2u),
                         [](const auto& info) { return std::to_string(info.param) + "_shards"; });
