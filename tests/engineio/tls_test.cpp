// TLS listeners (engineio/tls.hpp): HTTPS and WSS with a chain from a test CA made for the run
// (scripts/make-test-certs.sh), the protocol floor, ALPN, bounded handshakes, reloads, and a
// WebSocket upgrade whose TLS session moves to the session's shard.

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "engineio/server.hpp"
#include "support/loopback.hpp"
#include "support/tls_client.hpp"

using namespace engineio;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

using sio_test::tls_client;

namespace {

struct echo_handler : handler {
  void on_open(session& s) override {
    std::lock_guard lock(mutex);
    secure.push_back(s.request().secure);
  }
  void on_message(session& s, std::string_view text) override { s.send_text(text); }
  void on_binary(session&, std::string_view) override {}
  void on_close(session&, close_reason reason) override {
    std::lock_guard lock(mutex);
    closes.push_back(reason);
  }

  // What the sessions opened (their request().secure) and how they closed, once `count` did
  // (within 5 s).
  std::vector<bool> opened(std::size_t count) { return at_least(secure, count); }
  std::vector<close_reason> closed(std::size_t count) { return at_least(closes, count); }

  template <typename T>
  std::vector<T> at_least(const std::vector<T>& list, std::size_t count) {
    for (int i = 0; i < 500; ++i) {
      if (std::lock_guard lock(mutex); list.size() >= count) return list;
      std::this_thread::sleep_for(10ms);
    }
    std::lock_guard lock(mutex);
    return list;
  }

  std::mutex mutex;
  std::vector<bool> secure;
  std::vector<close_reason> closes;
};

// A WebSocket over a TLS connection; the upgrade is done unless the TLS handshake failed.
struct wss_client {
  wss_client(std::uint16_t port, const fs::path& ca, const std::string& target)
      : tls(port, ca), ws(*tls.stream) {
    if (!tls.handshake_error) ws.handshake("localhost", target);
  }
  std::string read() {
    buffer.clear();
    ws.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  void send(const std::string& text) { ws.write(asio::buffer(text)); }

  tls_client tls;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>&> ws;
  beast::flat_buffer buffer;
};

class Tls : public ::testing::TestWithParam<unsigned> {
 protected:
  static void SetUpTestSuite() { certs_ = sio_test::test_certs(); }

  // The server's files, copies that a test may overwrite.
  void SetUp() override {
    files_ = {.cert_file = (certs_ / "live.pem").string(),
              .key_file = (certs_ / "live.key").string()};
    install("server");
  }
  void install(const std::string& name) {
    fs::copy_file(certs_ / (name + ".pem"), files_.cert_file, fs::copy_options::overwrite_existing);
    fs::copy_file(certs_ / (name + ".key"), files_.key_file, fs::copy_options::overwrite_existing);
  }

  std::uint16_t start(const options& o = {}) {
    server_ = std::make_unique<server>(o, events_, GetParam());
    auto port = server_->listen("127.0.0.1", 0, files_);
    plain_port_ = server_->listen("127.0.0.1", 0);
    server_->start();
    return port;
  }
  static fs::path ca() { return certs_ / "ca.pem"; }

  static inline fs::path certs_;
  tls_options files_;
  echo_handler events_;
  std::unique_ptr<server> server_;
  std::uint16_t plain_port_ = 0;
};

TEST_P(Tls, PollingOverHttpsWithTheChainAndAlpn) {
  auto port = start();
  tls_client client(port, ca());
  ASSERT_FALSE(client.handshake_error) << client.handshake_error.message();
  EXPECT_EQ(client.alpn(), "http/1.1");  // offered after h2, which the server does not speak
  auto res = client.get("/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body().substr(0, 9), "0{\"sid\":\"");
  EXPECT_EQ(events_.opened(1), std::vector<bool>{true});
  // A session from the plain listener beside it is not secure.
  auto open =
      sio_test::send_http(plain_port_, http::verb::get, "/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(open.status, 200u);
  EXPECT_EQ(events_.opened(2), (std::vector<bool>{true, false}));
}

// On two shards the upgrade's connection is accepted on the other shard than the session's,
// and its TLS session moves there.
TEST_P(Tls, WebSocketUpgradeOverWss) {
  auto port = start();
  tls_client polling(port, ca());
  ASSERT_FALSE(polling.handshake_error);
  auto sid = sio_test::sid_of(polling.get("/engine.io/?EIO=4&transport=polling").body());

  wss_client upgrade(port, ca(), "/engine.io/?EIO=4&transport=websocket&sid=" + sid);
  ASSERT_FALSE(upgrade.tls.handshake_error);
  upgrade.send("2probe");
  EXPECT_EQ(upgrade.read(), "3probe");
  upgrade.send("5");
  upgrade.send("4hello over wss");
  EXPECT_EQ(upgrade.read(), "4hello over wss");
  // A large message both ways, over several TLS records.
  std::string big = "4" + std::string(200000, 'x');
  upgrade.send(big);
  EXPECT_EQ(upgrade.read(), big);
}

TEST_P(Tls, AWebSocketOnlyClientOverWss) {
  auto port = start();
  wss_client client(port, ca(), "/engine.io/?EIO=4&transport=websocket");
  ASSERT_FALSE(client.tls.handshake_error);
  EXPECT_EQ(client.read().substr(0, 9), "0{\"sid\":\"");
  EXPECT_EQ(events_.opened(1), std::vector<bool>{true});
}

// The hook answers later, so the connection watches its peer meanwhile: that read must not take
// the first frame from the WebSocket that follows, over TLS and over the plain listener.
TEST_P(Tls, AWebSocketAnsweredThroughAHookGetsItsFirstFrame) {
  options o;
  o.allow_request = [](const request_info&, const allow_request_callback& answer) {
    answer("", true);
  };
  auto port = start(o);
  wss_client wss(port, ca(), "/engine.io/?EIO=4&transport=websocket");
  ASSERT_FALSE(wss.tls.handshake_error);
  wss.read();  // the open packet
  wss.send("4first frame");
  EXPECT_EQ(wss.read(), "4first frame");

  sio_test::ws_client ws(plain_port_, "/engine.io/?EIO=4&transport=websocket");
  ws.read();
  ws.send_text("4first frame");
  EXPECT_EQ(ws.read(), "4first frame");
}

// A client that drops the connection without close_notify or a close frame (a phone losing its
// network) is a "transport close", as in Node, not an error.
TEST_P(Tls, AWssClientThatJustDisconnectsIsATransportClose) {
  auto port = start();
  {
    wss_client client(port, ca(), "/engine.io/?EIO=4&transport=websocket");
    ASSERT_FALSE(client.tls.handshake_error);
    client.read();
    beast::get_lowest_layer(*client.tls.stream).close();
  }
  EXPECT_EQ(events_.closed(1), std::vector<close_reason>{close_reason::transport_close});
}

TEST_P(Tls, TlsBelow12IsRefused) {
  auto port = start();
  tls_client client(port, ca(), TLS1_1_VERSION);
  EXPECT_TRUE(client.handshake_error);
  tls_client current(port, ca(), TLS1_2_VERSION);
  EXPECT_FALSE(current.handshake_error) << current.handshake_error.message();
}

TEST_P(Tls, AClientOfAnotherCaRefusesTheCertificate) {
  auto port = start();
  tls_client client(port, certs_ / "other-ca.pem");
  EXPECT_TRUE(client.handshake_error);
}

TEST_P(Tls, PlainHttpOnTheTlsPortIsClosed) {
  auto port = start();
  asio::io_context ctx;
  tcp::socket socket(ctx);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::string request = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  EXPECT_TRUE(sio_test::closed_by_server(socket));
}

// A client that connects and never says hello holds its slot for request_timeout, no longer.
TEST_P(Tls, AStalledHandshakeEndsAtRequestTimeoutAndFreesItsSlot) {
  options o;
  o.request_timeout = 1s;
  o.max_connections = 1;
  auto port = start(o);
  asio::io_context ctx;
  tcp::socket silent(ctx);
  silent.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  auto began = std::chrono::steady_clock::now();
  EXPECT_TRUE(sio_test::closed_by_server(silent));
  EXPECT_GE(std::chrono::steady_clock::now() - began, 900ms);
  tls_client next(port, ca());
  ASSERT_FALSE(next.handshake_error) << next.handshake_error.message();
  EXPECT_EQ(next.get("/engine.io/?EIO=4&transport=polling").result_int(), 200u);
}

TEST_P(Tls, ReloadServesTheNewCertificateToNewConnectionsOnly) {
  auto port = start();
  tls_client before(port, ca());
  ASSERT_FALSE(before.handshake_error);
  EXPECT_EQ(before.server_name(), "sio-cpp test server");

  install("renewed");
  server_->reload_tls();
  tls_client after(port, ca());
  ASSERT_FALSE(after.handshake_error);
  EXPECT_EQ(after.server_name(), "sio-cpp test renewed");
  // The connection made before goes on with the certificate it had.
  EXPECT_EQ(before.get("/engine.io/?EIO=4&transport=polling").result_int(), 200u);

  // A broken file: the reload fails and the listener keeps what it had.
  std::ofstream(files_.cert_file) << "not a certificate\n";
  EXPECT_THROW(server_->reload_tls(), std::runtime_error);
  tls_client still(port, ca());
  ASSERT_FALSE(still.handshake_error);
  EXPECT_EQ(still.server_name(), "sio-cpp test renewed");
}

TEST_P(Tls, ListenRefusesFilesThatDoNotLoad) {
  server s({}, events_, GetParam());
  auto missing = files_;
  missing.cert_file = (certs_ / "missing.pem").string();
  try {
    s.listen("127.0.0.1", 0, missing);
    ADD_FAILURE() << "a missing certificate file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos) << e.what();
  }
  auto mismatched = files_;
  mismatched.key_file = (certs_ / "other.key").string();
  EXPECT_THROW(s.listen("127.0.0.1", 0, mismatched), std::runtime_error);
}

INSTANTIATE_TEST_SUITE_P(Shards, Tls, ::testing::Values(1u, 2u));

}  // namespace
