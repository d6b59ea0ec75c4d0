// embedded: an application's own Beast HTTP service with the chat inside it, on one port, as
// Node's `io.attach(httpServer)` joins an express app. The service answers GET /api/status (JSON)
// and the chat page at /; a request under /socket.io/ (polling, WebSocket upgrades, the client
// bundle) is handed to sio-cpp with its connection, which comes back to the service when a later
// request on it is the service's own.
//
//   embedded [--port N]   (default 3000)

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "socketio/socketio.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The chat's page, copied next to the binary by the build.
std::string chat_page() {
  auto dir = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "chat_public";
  std::ifstream in(dir / "index.html", std::ios::binary);
  std::ostringstream page;
  page << in.rdbuf();
  return page.str();
}

// The service's own routes.
http::response<http::string_body> answer(const http::request<http::string_body>& req,
                                         sio::server& io) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  if (req.method() == http::verb::get && req.target() == "/api/status") {
    res.set(http::field::content_type, "application/json");
    res.body() =
        R"({"service":"embedded","clients":)" + std::to_string(io.engine().clients_count()) + "}";
  } else if (req.method() == http::verb::get && req.target() == "/") {
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.body() = chat_page();
  } else {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "text/plain");
    res.body() = "Not Found";
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

// One connection of the service (Beast's http_session shape).
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, sio::server& io, std::string_view already_read)
      : stream_(std::move(socket)), io_(io) {
    buffer_.commit(
        asio::buffer_copy(buffer_.prepare(already_read.size()), asio::buffer(already_read)));
  }

  void read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->handle();
                     });
  }

 private:
  void handle() {
    if (req_.target().starts_with("/socket.io/")) {
      // sio-cpp takes the connection, and gives it back when a request on it is ours again.
      auto& io = io_;
      return io.attach(stream_.release_socket(), std::move(req_),
                       beast::buffers_to_string(buffer_.data()),
                       [&io](tcp::socket socket, const std::string& already_read) {
                         std::make_shared<session>(std::move(socket), io, already_read)->read();
                       });
    }
    auto res = std::make_shared<http::response<http::string_body>>(answer(req_, io_));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (!ec && res->keep_alive()) self->read();
                      });
  }

  beast::tcp_stream stream_;
  sio::server& io_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

void accept(tcp::acceptor& acceptor, sio::server& io) {
  acceptor.async_accept([&](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::make_shared<session>(std::move(socket), io, "")->read();
    accept(acceptor, io);
  });
}

int main(int argc, char** argv) {
  int port = argc == 3 && std::string(argv[1]) == "--port" ? std::atoi(argv[2]) : 3000;

  asio::io_context service{1};  // before `io`: connections come back to it until `io` is gone
  sio::server io;               // no listen(): the service's acceptor feeds it
  io.on_connection([&io](sio::socket& socket) {
    socket.on("chat message",
              [&io](sio::socket&, const sio::args& msg) { io.emit_args("chat message", msg); });
  });
  io.start();

  tcp::acceptor acceptor(service,
                         {asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)});
  accept(acceptor, io);
  asio::signal_set signals(service, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { service.stop(); });
  std::cout << "embedded listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << "/"
            << std::endl;
  service.run();
}
