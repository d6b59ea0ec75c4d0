#include <sys/socket.h>

#include <cstring>

#include "engineio/detail/http.hpp"

namespace engineio::detail {

std::string peer_address(const stream_socket& socket) {
  beast::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  auto family = peer.protocol().family();
  if (ec || (family != AF_INET && family != AF_INET6)) return {};
  tcp::endpoint ip;
  std::memcpy(ip.data(), peer.data(), peer.size());
  ip.resize(peer.size());
  return ip.address().to_string();
}

}  // namespace engineio::detail
