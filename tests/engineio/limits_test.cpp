// Hard limits against clients that hold resources: the connection cap and the accept back-off,
// a ping flood from a client that never reads, and WebSocket writes that never complete.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include <boost/asio/read_until.hpp>

#include "engineio/server.hpp"
#include "support/loopback.hpp"

using namespace engineio;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

// Every accept() of this process, the engine's included: the executable's definition comes
// before the C library's, which it calls.
std::atomic<int> accept_calls{0};
extern "C" int accept(int fd, sockaddr* address, socklen_t* length) {
  ++accept_calls;
  using accept_fn = int (*)(int, sockaddr*, socklen_t*);
  static const auto next = reinterpret_cast<accept_fn>(dlsym(RTLD_NEXT, "accept"));  // NOLINT
  return next(fd, address, length);
}

namespace {

const tcp::endpoint loopback(std::uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

// Answers every message with `reply_bytes` of letters that deflate cannot shrink much, so a
// client that never reads stalls the server's writes with or without permessage-deflate.
struct replying_handler : handler {
  void on_open(session&) override {}
  void on_message(session& s, std::string_view) override {
    std::mt19937 random(7);
    std::string chunk(std::size_t{64} * 1024, 'a');
    for (auto& c : chunk) c = static_cast<char>('a' + random() % 26);
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

template <typename Done>
bool wait_until(Done done, std::chrono::milliseconds limit) {
  for (auto end = std::chrono::steady_clock::now() + limit; !done();) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::uint16_t port_of(const sockaddr_storage& address) {
  return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

// Whether this process (the server runs in it) still holds the server's end of `client`'s
// connection: a socket bound to the server's port whose peer is the client's port.
bool server_end_open(std::uint16_t server_port, std::uint16_t client_port) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = std::stoi(entry.path().filename().string());
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t length = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) continue;
    length = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) continue;
    if (local.ss_family == AF_INET && port_of(local) == server_port && port_of(peer) == client_port)
      return true;
  }
  return false;
}

// Whether `socket` has bytes to read within `wait`.
bool readable(tcp::socket& socket, std::chrono::milliseconds wait) {
  pollfd p{socket.native_handle(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) == 1;
}

class Limits : public ::testing::TestWithParam<unsigned> {
 protected:
  void start(options o) {
    server_ = std::make_unique<server>(std::move(o), events_, GetParam());
    server_->route("GET", "/hi",
                   [](const http_request&) { return http_response::text(200, "hi"); });
    server_->listen("127.0.0.1", 0);
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  replying_handler events_;
  std::unique_ptr<server> server_;
  asio::io_context ctx_;
};

const std::string hello = "GET /hi HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

TEST_P(Limits, ConnectionsPastMaxConnectionsWaitInTheBacklogUntilOneCloses) {
  options o;
  o.max_connections = 8;
  start(o);
  std::vector<std::unique_ptr<tcp::socket>> clients;
  for (int i = 0; i < 20; ++i) {
    auto& c = *clients.emplace_back(std::make_unique<tcp::socket>(ctx_));
    c.connect(loopback(server_->port()));  // the kernel completes it; the server may not accept
    asio::write(c, asio::buffer(hello));
  }
  std::vector<bool> served(clients.size(), false);
  auto count_served = [&](std::chrono::milliseconds wait) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (clients[i] && !served[i] && readable(*clients[i], wait)) served[i] = true;
      n += served[i] ? 1 : 0;
    }
    return n;
  };
  ASSERT_TRUE(wait_until([&] { return count_served(0ms) >= 8; }, 5s));
  // The keep-alive connections stay open; nobody else is let in.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(count_served(0ms), 8u);
  // Three close: three waiting connections are accepted and answered.
  for (std::size_t i = 0, closed = 0; closed < 3; ++i) {
    if (served[i]) {
      clients[i].reset();
      ++closed;
    }
  }
  ASSERT_TRUE(wait_until([&] { return count_served(0ms) >= 11; }, 5s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(count_served(0ms), 11u);
}

// A WebSocket the server accepts only to close it waits for the client's close frame (up to 30 s);
// one that never sends it still holds its connection slot, so such clients cannot pile up.
TEST_P(Limits, WebSocketsBeingClosedCountAgainstMaxConnections) {
  options o;
  o.max_connections = 8;
  start(o);
  const std::string unused_upgrade =
      "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  std::vector<std::unique_ptr<tcp::socket>> clients;
  for (int i = 0; i < 20; ++i) {
    auto& c = *clients.emplace_back(std::make_unique<tcp::socket>(ctx_));
    c.connect(loopback(server_->port()));
    asio::write(c, asio::buffer(unused_upgrade));
  }
  auto count_answered = [&] {
    return std::count_if(clients.begin(), clients.end(), [](auto& c) { return readable(*c, 0ms); });
  };
  ASSERT_TRUE(wait_until([&] { return count_answered() >= 8; }, 5s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(count_answered(), 8);
}

// ASan, as GCC (__SANITIZE_ADDRESS__) and Clang (__has_feature) tell it.
#if defined(__SANITIZE_ADDRESS__)
#define SIO_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIO_TEST_ASAN 1
#endif
#endif

// With no fd left for accept() (EMFILE), the acceptor retries on a timer instead of spinning, and
// accepts the waiting connection once fds are free again. The fd limit is the process's, so it is
// lowered only for the few lines that need it and restored before any assertion.
TEST_P(Limits, AcceptBacksOffWhileOutOfFileDescriptors) {
#ifdef SIO_TEST_ASAN
  // The sanitizers' runtime needs fds of its own: UBSan probes memory through a pipe, so with
  // none left it reports Asio's reactor and Boost's error categories as broken objects. The
  // release build runs this case.
  GTEST_SKIP() << "fills the process's fd table";
#endif
  start(options{});
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  int highest = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    highest = std::max(highest, std::stoi(entry.path().filename().string()));
  tcp::socket client(ctx_);
  client.open(tcp::v4());  // its fd exists before the limit; only accept() lacks one
  rlimit lowered = saved;
  lowered.rlim_cur = static_cast<rlim_t>(highest) + 2;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  std::vector<int> fillers;  // take the free fds below the limit
  for (int fd; (fd = open("/dev/null", O_RDONLY)) >= 0;) fillers.push_back(fd);
  int filled_up = errno;
  int calls_before = accept_calls;
  beast::error_code ec;
  client.connect(loopback(server_->port()), ec);
  if (!ec) asio::write(client, asio::buffer(hello), ec);
  std::this_thread::sleep_for(1s);
  int calls = accept_calls - calls_before;
  for (int fd : fillers) close(fd);
  setrlimit(RLIMIT_NOFILE, &saved);

  ASSERT_EQ(filled_up, EMFILE);
  ASSERT_FALSE(ec) << ec.message();
  // A spinning acceptor fails tens of thousands of times in that second; one that waits 100 ms
  // between tries about ten times (fewer on a busy machine, never more).
  EXPECT_LE(calls, 30);
  EXPECT_TRUE(readable(client, 5s));
}

// Pongs are counted against max_buffered_bytes: a client that floods pings and never reads gets
// its connection closed instead of an ever growing pong queue.
TEST_P(Limits, PingFloodFromAClientThatNeverReadsIsClosedAtTheBufferLimit) {
  options o;
  o.max_buffered_bytes = std::size_t{256} * 1024;
  start(o);
  tcp::socket client(ctx_);
  client.open(tcp::v4());
  client.set_option(asio::socket_base::receive_buffer_size(4096));
  client.connect(loopback(server_->port()));
  asio::write(client, asio::buffer(std::string(
                          "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
                          "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: "
                          "13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")));
  std::string answer;
  asio::read_until(client, asio::dynamic_buffer(answer), "\r\n\r\n");
  ASSERT_EQ(answer.substr(0, 12), "HTTP/1.1 101");
  // Masked pings with a 125-byte payload, sent in batches; 200k of them (25 MB of pongs) is far
  // past the limit plus what the kernel buffers hold.
  std::string ping{'\x89', static_cast<char>(0x80 | 125), 0, 0, 0, 0};
  ping.append(125, 'p');
  std::string batch;
  for (int i = 0; i < 1000; ++i) batch += ping;
  // Plain send() with a timeout: Asio's blocking write would wait for good once the server stops
  // reading.
  timeval send_timeout{0, 200'000};
  setsockopt(client.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  std::size_t offset = 0;
  auto give_up = std::chrono::steady_clock::now() + 10s;
  for (int i = 0;
       i < 200 * 1000 && !events_.closed && std::chrono::steady_clock::now() < give_up;) {
    auto n =
        ::send(client.native_handle(), batch.data() + offset, batch.size() - offset, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) break;
    if (n > 0) offset += static_cast<std::size_t>(n);
    if (offset == batch.size()) {
      offset = 0;
      i += 1000;
    }
  }
  EXPECT_TRUE(wait_until([&] { return events_.closed.load(); }, 5s));
  EXPECT_EQ(events_.last_close, close_reason::transport_error);
}

// Both WebSocket transports: a write that does not complete within websocket_write_timeout closes
// the transport and its socket, though the session's heartbeat (unsolicited pongs) is fine.
namespace {

// Opens an Engine.IO WebSocket with a 4 KiB receive buffer that the test never reads, so the
// server's writes stall; gives the client's port.
std::uint16_t connect_stalled(websocket::stream<beast::tcp_stream>& ws, std::uint16_t port) {
  auto& socket = beast::get_lowest_layer(ws).socket();
  socket.open(tcp::v4());
  socket.set_option(asio::socket_base::receive_buffer_size(4096));
  socket.connect(loopback(port));
  ws.handshake("127.0.0.1", "/engine.io/?EIO=4&transport=websocket");
  return socket.local_endpoint().port();
}

}  // namespace

class WriteTimeout : public Limits {};

TEST_P(WriteTimeout, StuckWriteClosesTheTransport) {
  for (bool deflate : {false, true}) {
    SCOPED_TRACE(deflate ? "per-message deflate" : "plain");
    events_.closed = false;
    options o;
    o.websocket_write_timeout = 1s;
    if (deflate) o.per_message_deflate = per_message_deflate_options{};
    start(o);
    websocket::stream<beast::tcp_stream> ws(ctx_);
    auto client_port = connect_stalled(ws, server_->port());
    // 40 × 256 KiB asked for, under the 64 MiB queue limit, never read.
    for (int i = 0; i < 40; ++i) ws.write(asio::buffer(std::string("4more")));
    ASSERT_TRUE(wait_until([&] { return events_.closed.load(); }, 5s));
    EXPECT_EQ(events_.last_close, close_reason::transport_error);
    EXPECT_TRUE(wait_until([&] { return !server_end_open(server_->port(), client_port); }, 5s));
    server_->stop();
    server_.reset();
  }
}

// per-message deflate: the session closes (ping timeout) while a write is stuck on a client that
// never reads; the close deadline still ends the socket, rather than waiting for the write.
TEST_P(WriteTimeout, DeflateTransportClosedDuringAStuckWriteLetsGoOfItsSocket) {
  options o;
  o.ping_interval = 200ms;
  o.ping_timeout = 200ms;
  o.websocket_write_timeout = 60s;  // not the limit under test
  o.per_message_deflate = per_message_deflate_options{};
  start(o);
  websocket::stream<beast::tcp_stream> ws(ctx_);
  auto client_port = connect_stalled(ws, server_->port());
  for (int i = 0; i < 40; ++i) ws.write(asio::buffer(std::string("4more")));
  ASSERT_TRUE(wait_until([&] { return events_.closed.load(); }, 5s));
  EXPECT_EQ(events_.last_close, close_reason::ping_timeout);
  // The close frame cannot be written; the 5 s close deadline closes the socket anyway.
  EXPECT_TRUE(wait_until([&] { return !server_end_open(server_->port(), client_port); }, 8s));
}

INSTANTIATE_TEST_SUITE_P(Shards, Limits, ::testing::Values(1u, 2u),
                         [](const auto& info) { return std::to_string(info.param) + "_shards"; });
INSTANTIATE_TEST_SUITE_P(Shards, WriteTimeout, ::testing::Values(1u),
                         [](const auto& info) { return std::to_string(info.param) + "_shards"; });
