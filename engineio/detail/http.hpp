#pragma once
// Beast names used across the HTTP side of the engine.

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http.hpp>

#include <optional>
#include <string>

namespace engineio::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;
// Every connection's socket, whatever it came from: TCP over IPv4 or IPv6, or a Unix domain
// socket (behind a proxy on the same host).
using stream_protocol = boost::asio::generic::stream_protocol;
using stream_socket = stream_protocol::socket;
using http_stream = beast::basic_stream<stream_protocol>;

/// An endpoint of a TCP socket as such; nothing for a Unix domain socket's.
std::optional<tcp::endpoint> ip_endpoint(const stream_protocol::endpoint& endpoint);

/// The peer's IP address as Node prints it ("127.0.0.1", "::1", "::ffff:127.0.0.1"); empty for a
/// Unix domain socket (Node's remoteAddress is undefined there) or a peer already gone.
std::string peer_address(const stream_socket& socket);
/// Who is at the other end of a connection, as its requests report it.
struct peer_info {
  std::string address;  // peer_address()
  bool secure = false;  // over TLS: Node's req.socket.encrypted
};
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

}  // namespace engineio::detail
