#pragma once
// A socket on its way to another io_context (another shard, or the application's executor for a
// connection given back): only its descriptor travels, and it is closed if the socket never
// lands, say because the task carrying it is dropped as the server stops.

#include <unistd.h>

#include <optional>
#include <utility>

#include "engineio/detail/http.hpp"

namespace engineio::detail {

class socket_in_transit {
 public:
  /// Takes the descriptor out of `socket` (TCP, or any stream socket); invalid when the peer has
  /// already gone.
  template <typename Socket>
  explicit socket_in_transit(Socket& socket) {
    beast::error_code ec;
    auto local = socket.local_endpoint(ec);
    if (ec) return;
    protocol_ = stream_protocol(local.protocol().family(), local.protocol().protocol());
    fd_ = socket.release(ec);
    if (ec) fd_ = -1;
  }
  socket_in_transit(socket_in_transit&& other) noexcept
      : protocol_(other.protocol_), fd_(std::exchange(other.fd_, -1)) {}
  socket_in_transit& operator=(socket_in_transit&&) = delete;
  socket_in_transit(const socket_in_transit&) = delete;
  socket_in_transit& operator=(const socket_in_transit&) = delete;
  ~socket_in_transit() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool valid() const noexcept { return fd_ >= 0; }

  /// The socket again, on `executor`'s context; call once. Nothing when the descriptor cannot
  /// be registered there (it is closed then).
  template <typename Executor>
  std::optional<stream_socket> land(const Executor& executor) {
    return land_as<stream_socket>(executor, protocol_);
  }
  /// The same as a TCP socket, for the application that handed it over (server::attach).
  template <typename Executor>
  std::optional<tcp::socket> land_tcp(const Executor& executor) {
    return land_as<tcp::socket>(executor, protocol_.family() == AF_INET6 ? tcp::v6() : tcp::v4());
  }

 private:
  template <typename Socket, typename Executor, typename Protocol>
  std::optional<Socket> land_as(const Executor& executor, const Protocol& protocol) {
    Socket socket(executor);
    beast::error_code ec;
    socket.assign(protocol, fd_, ec);
    if (ec) return std::nullopt;
    fd_ = -1;
    return socket;
  }

  stream_protocol protocol_{AF_INET, IPPROTO_TCP};
  int fd_ = -1;
};

}  // namespace engineio::detail
