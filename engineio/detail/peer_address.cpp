#include <sys/socket.h>

#include <cstring>

#include "engineio/detail/http.hpp"

namespace engineio::detail {

std::optional<tcp::endpoint> ip_endpoint(const stream_protocol::endpoint& endpoint) {
  auto family = endpoint.protocol().family();
  if (family != AF_INET && family != AF_INET6) return std::nullopt;
  tcp::endpoint ip;
  std::memcpy(ip.data(), endpoint.data(), endpoint.size());
  ip.resize(endpoint.size());
  return ip;
}

std::string peer_address(const stream_socket& socket) {
  beast::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  auto ip = ec ? std::nullopt : ip_endpoint(peer);
  return ip ? ip->address().to_string() : std::string();
}

}  // namespace engineio::detail
