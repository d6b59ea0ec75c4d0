#pragma once
// Blocking Beast clients for loopback tests against a server on 127.0.0.1.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <poll.h>

#include <string>
#include <string_view>

namespace sio_test {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

struct http_answer {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  http::fields headers;
};

/// Requests one after another on one keep-alive connection.
class http_client {
 public:
  explicit http_client(std::uint16_t port) : stream_(ctx_) {
    stream_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }
  http_answer send(http::verb method, const std::string& target, const std::string& body = {},
                   std::string_view content_type = "text/plain;charset=UTF-8") {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.body() = body;
    if (method == http::verb::post) req.set(http::field::content_type, content_type);
    req.prepare_payload();
    http::write(stream_, req);
    http::response_parser<http::string_body> parser;
    parser.skip(method == http::verb::head);  // a HEAD answer announces a body it does not carry
    http::read(stream_, buffer_, parser);
    const auto& res = parser.get();
    return {res.result_int(), res.body(), std::string(res[http::field::content_type]), res.base()};
  }

 private:
  boost::asio::io_context ctx_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

/// One request on a fresh connection.
inline http_answer send_http(std::uint16_t port, http::verb method, const std::string& target,
                             const std::string& body = {},
                             std::string_view content_type = "text/plain;charset=UTF-8") {
  return http_client(port).send(method, target, body, content_type);
}

/// Whether the server closes `client` within 5 s (a socket the server leaked never would).
inline bool closed_by_server(tcp::socket& client) {
  pollfd watch{client.native_handle(), POLLIN, 0};
  if (::poll(&watch, 1, 5000) != 1) return false;
  char byte = 0;
  beast::error_code ec;
  client.read_some(boost::asio::buffer(&byte, 1), ec);
  return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
}

/// The sid out of an open packet `0{"sid":"...",...}`.
inline std::string sid_of(const std::string& open_packet) {
  auto start = open_packet.find("\"sid\":\"") + 7;
  return open_packet.substr(start, open_packet.find('"', start) - start);
}

class ws_client {
 public:
  ws_client(std::uint16_t port, const std::string& target) : ws_(ctx_) {
    beast::get_lowest_layer(ws_).connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    ws_.handshake("127.0.0.1", target);
  }
  void send_text(const std::string& text) {
    ws_.text(true);
    ws_.write(boost::asio::buffer(text));
  }
  void send_binary(const std::string& bytes) {
    ws_.binary(true);
    ws_.write(boost::asio::buffer(bytes));
  }
  /// Next frame, prefixed with "<bin>" when binary.
  std::string read() {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    auto text = beast::buffers_to_string(buffer.data());
    return ws_.got_text() ? text : "<bin>" + text;
  }

 private:
  boost::asio::io_context ctx_;
  websocket::stream<beast::tcp_stream> ws_;
};

}  // namespace sio_test
