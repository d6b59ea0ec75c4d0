// server::attach (engineio/embedding.hpp): connections accepted and first read by the
// application's own server, over 1 and 2 shards. The application here is an io_context on a
// thread of the test with its own acceptor; the client is a blocking socket.

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "engineio/server.hpp"
#include "support/loopback.hpp"

using namespace engineio;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

struct quiet_handler : handler {
  void on_open(session&) override {}
  void on_message(session&, std::string_view) override {}
  void on_binary(session&, std::string_view) override {}
  void on_close(session&, close_reason) override {}
};

const char* const handshake_request =
    "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n";

// What a given-back connection brought: the bytes read from it, and whether the handler ran on
// the application's thread.
struct given_back {
  std::string already_read;
  bool on_application_thread = false;
};

class Embedding : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    acceptor_.listen();
    app_thread_ = std::thread([this] { app_.run(); });
  }
  void TearDown() override {
    server_.reset();
    work_.reset();
    app_thread_.join();
  }

  void make_server(std::size_t max_connections = 0, bool start = true) {
    options o;
    o.max_connections = max_connections;
    o.max_http_buffer_size = 100;
    server_ = std::make_unique<server>(o, events_, GetParam());
    if (start) server_->start();
  }

  // A client connection and the application's end of it.
  std::pair<tcp::socket, tcp::socket> connect() {
    tcp::socket client(client_ctx_);
    client.connect(acceptor_.local_endpoint());
    return {std::move(client), acceptor_.accept(app_)};
  }

  // The application reads one request from `socket`, as a Beast server would, and attaches it.
  void read_and_attach(tcp::socket socket, give_back_handler back) {
    beast::flat_buffer buffer;
    http_request_message req;
    http::read(socket, buffer, req);
    server_->attach(std::move(socket), std::move(req), beast::buffers_to_string(buffer.data()),
                    std::move(back));
  }

  // Records what comes back and answers "app" on the connection.
  give_back_handler recorder(std::promise<given_back>& result) {
    return [this, &result](tcp::socket socket, std::string already_read) {
      given_back got{std::move(already_read), app_.get_executor().running_in_this_thread()};
      const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\napp";
      asio::write(socket, asio::buffer(reply, sizeof reply - 1));
      result.set_value(std::move(got));
    };
  }

  static given_back wait(std::promise<given_back>& result) {
    auto got = result.get_future();
    if (got.wait_for(5s) != std::future_status::ready) return {"(nothing came back)", false};
    return got.get();
  }

  static http::response<http::string_body> read_response(tcp::socket& client) {
    static thread_local beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(client, buffer, res);
    return res;
  }

  quiet_handler events_;
  asio::io_context app_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_{app_.get_executor()};
  tcp::acceptor acceptor_{app_, {asio::ip::make_address("127.0.0.1"), 0}};
  std::thread app_thread_;
  asio::io_context client_ctx_;
  std::unique_ptr<server> server_;
};

}  // namespace

TEST_P(Embedding, AnswersTheAttachedRequestThenGivesBackTheNextOneWithWhatFollowsIt) {
  make_server();
  auto [client, app_end] = connect();
  std::string pipelined = std::string(handshake_request) +
                          "GET /app HTTP/1.1\r\nHost: x\r\n\r\n"
                          "GET /after HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(client, asio::buffer(pipelined));
  std::promise<given_back> result;
  read_and_attach(std::move(app_end), recorder(result));

  auto open = read_response(client);
  EXPECT_EQ(open.result_int(), 200u);
  EXPECT_TRUE(open.body().starts_with("0{\"sid\":"));
  auto back = wait(result);
  EXPECT_EQ(back.already_read,
            "GET /app HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(back.on_application_thread);
  EXPECT_EQ(read_response(client).body(), "app");
}

// The server reads only the request line of a request that is not its own: its size limits,
// timeouts and parser are the application's business.
TEST_P(Embedding, TheApplicationsOwnRequestsAreNotHeldToTheServersLimits) {
  make_server();  // max_http_buffer_size 100
  auto [client, app_end] = connect();
  std::string upload = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n";
  asio::write(client, asio::buffer(std::string(handshake_request) + upload));
  std::promise<given_back> result;
  read_and_attach(std::move(app_end), recorder(result));
  EXPECT_EQ(read_response(client).result_int(), 200u);
  EXPECT_EQ(wait(result).already_read, upload);
  EXPECT_EQ(read_response(client).body(), "app");
}

// The application handed over a request that is not the server's (its prefix check is looser
// than the path): the server answers it rather than handing it back, which could go on forever.
TEST_P(Embedding, AHandedOverRequestThatIsNotTheServersIsAnsweredNotGivenBack) {
  make_server();
  auto [client, app_end] = connect();
  asio::write(client, asio::buffer(std::string("GET /engine.iox HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::promise<given_back> result;
  read_and_attach(std::move(app_end), recorder(result));
  EXPECT_EQ(read_response(client).result_int(), 404u);
}

TEST_P(Embedding, AConnectionAttachedBeforeAnyRequestIsReadByTheServer) {
  make_server();
  auto [client, app_end] = connect();
  server_->attach(std::move(app_end), "", nullptr);
  asio::write(client, asio::buffer(std::string(handshake_request)));
  EXPECT_EQ(read_response(client).result_int(), 200u);
  // No give-back handler: a request that is not the server's gets its 404.
  asio::write(client, asio::buffer(std::string("GET /app HTTP/1.1\r\nHost: x\r\n\r\n")));
  EXPECT_EQ(read_response(client).result_int(), 404u);
}

TEST_P(Embedding, AThrowingGiveBackHandlerIsLoggedAndItsConnectionCloses) {
  make_server();
  auto [client, app_end] = connect();
  asio::write(client, asio::buffer(std::string("GET /app HTTP/1.1\r\nHost: x\r\n\r\n")));
  server_->attach(std::move(app_end), "",
                  [](tcp::socket, const std::string&) { throw std::runtime_error("no"); });
  EXPECT_TRUE(sio_test::closed_by_server(client));
  // The server goes on.
  auto [other, other_app_end] = connect();
  server_->attach(std::move(other_app_end), "", nullptr);
  asio::write(other, asio::buffer(std::string(handshake_request)));
  EXPECT_EQ(read_response(other).result_int(), 200u);
}

TEST_P(Embedding, AttachedConnectionsCountAgainstMaxConnections) {
  make_server(1);
  auto [first, first_app_end] = connect();
  server_->attach(std::move(first_app_end), "", nullptr);
  asio::write(first, asio::buffer(std::string(handshake_request)));
  EXPECT_EQ(read_response(first).result_int(), 200u);  // held open (keep-alive)
  auto [second, second_app_end] = connect();
  server_->attach(std::move(second_app_end), "", nullptr);
  EXPECT_TRUE(sio_test::closed_by_server(second));
}

// An idle attached connection the client closes lets go of its slot then, not at the request
// timeout (30 s): with max_connections 1 the next one is served.
TEST_P(Embedding, AnAttachedConnectionTheClientClosesFreesItsSlot) {
  make_server(1);
  {
    auto [first, first_app_end] = connect();
    server_->attach(std::move(first_app_end), "", [](tcp::socket, const std::string&) {});
    asio::write(first, asio::buffer(std::string(handshake_request)));
    EXPECT_EQ(read_response(first).result_int(), 200u);
  }  // closed while the server waits for its next request line
  bool served = false;
  for (int attempt = 0; attempt < 30 && !served; ++attempt) {
    std::this_thread::sleep_for(100ms);
    auto [next, next_app_end] = connect();
    server_->attach(std::move(next_app_end), "", nullptr);
    asio::write(next, asio::buffer(std::string(handshake_request)));
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(next, buffer, res, ec);
    served = !ec && res.result_int() == 200;
  }
  EXPECT_TRUE(served);
}

TEST_P(Embedding, ABodyOverTheLimitReadByTheApplicationIsRefusedWith413) {
  make_server();
  auto [client, app_end] = connect();
  std::string body(200, 'x');
  asio::write(client, asio::buffer("POST /engine.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\n"
                                   "Host: x\r\nContent-Length: 200\r\n\r\n" +
                                   body));
  read_and_attach(std::move(app_end), nullptr);
  EXPECT_EQ(read_response(client).result_int(), 413u);
}

// Handed over while no shard runs: the socket waits for start(), or is closed (not leaked) when
// the server goes without starting.
TEST_P(Embedding, AConnectionAttachedToAServerThatNeverStartsIsClosedWithIt) {
  make_server(0, false);
  auto [client, app_end] = connect();
  server_->attach(std::move(app_end), "", nullptr);
  server_.reset();
  EXPECT_TRUE(sio_test::closed_by_server(client));
}

TEST_P(Embedding, AConnectionAttachedOnceTheServerStoppedIsClosed) {
  make_server();
  server_->stop();
  auto [client, app_end] = connect();
  server_->attach(std::move(app_end), "", nullptr);
  EXPECT_TRUE(sio_test::closed_by_server(client));
}

INSTANTIATE_TEST_SUITE_P(Shards, Embedding, ::testing::Values(1u, 2u));
