#pragma once
// The byte stream of one connection: plain, or TLS over the same socket type (tls_socket). One
// type for both, so the HTTP side, the upgrades and Beast's WebSocket stream are written once;
// a plain WebSocket still leaves it for our own framing (plain_websocket_transport).

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "engineio/detail/http.hpp"
#include "engineio/detail/socket_in_transit.hpp"
#include "engineio/detail/tls_socket.hpp"

namespace engineio::detail {

class connection_stream {
 public:
  using executor_type = http_stream::executor_type;

  explicit connection_stream(stream_socket socket)
      : layers_(std::in_place_type<http_stream>, std::move(socket)) {}
  /// TLS over `socket` with a new session of `tls`; the handshake is still to come.
  connection_stream(stream_socket socket, asio::ssl::context& tls);
  /// TLS over `socket` with `session`, established elsewhere (see stream_in_transit); takes
  /// ownership of it.
  connection_stream(stream_socket socket, SSL* session)
      : layers_(std::in_place_type<tls_socket>, http_stream(std::move(socket)), session) {}

  bool tls() const noexcept { return std::holds_alternative<tls_socket>(layers_); }
  /// The stream under TLS, or the plain stream itself: its socket.
  http_stream& next_layer() noexcept {
    return std::visit([](auto& s) -> http_stream& { return lowest(s); }, layers_);
  }
  const http_stream& next_layer() const noexcept {
    return std::visit([](const auto& s) -> const http_stream& { return lowest(s); }, layers_);
  }
  executor_type get_executor() noexcept { return next_layer().get_executor(); }

  /// Closes the connection if what follows takes longer than `timeout`.
  void expires_after(std::chrono::steady_clock::duration timeout) {
    std::visit([&](auto& s) { layer(s).expires_after(timeout); }, layers_);
  }
  void expires_never() {
    std::visit([](auto& s) { layer(s).expires_never(); }, layers_);
  }

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          std::visit([&](auto& s) { layer(s).async_read_some(b, std::move(handler)); }, layers_);
        },
        token, buffers);
  }
  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          std::visit([&](auto& s) { layer(s).async_write_some(b, std::move(handler)); }, layers_);
        },
        token, buffers);
  }
  /// The server side of the TLS handshake; only on a TLS stream.
  template <typename Token>
  auto async_handshake(Token&& token) {
    return std::get<tls_socket>(layers_).async_handshake(std::forward<Token>(token));
  }

  /// The socket of a plain stream, for our own WebSocket framing.
  stream_socket release_socket() { return std::get<http_stream>(layers_).release_socket(); }
  /// The TLS session, given up by a TLS stream (see stream_in_transit).
  SSL* release_session() noexcept { return std::get<tls_socket>(layers_).release_session(); }
  /// Ends the operations in progress with operation_aborted.
  void cancel() {
    std::visit([](auto& s) { layer(s).cancel(); }, layers_);
  }

  /// Beast's WebSocket close.
  template <typename Handler>
  friend void async_teardown(beast::role_type role, connection_stream& stream, Handler&& handler) {
    using beast::websocket::async_teardown;
    std::visit([&](auto& s) { async_teardown(role, layer(s), std::forward<Handler>(handler)); },
               stream.layers_);
  }

 private:
  static http_stream& layer(http_stream& s) noexcept { return s; }
  static tls_socket& layer(tls_socket& s) noexcept { return s; }
  static http_stream& lowest(http_stream& s) noexcept { return s; }
  static http_stream& lowest(tls_socket& s) noexcept { return s.next_layer(); }
  static const http_stream& lowest(const http_stream& s) noexcept { return s; }
  static const http_stream& lowest(const tls_socket& s) noexcept { return s.next_layer(); }

  std::variant<http_stream, tls_socket> layers_;
};

/// The peer as its requests report it.
peer_info peer_of(const connection_stream& stream);

/// A connection on its way to another shard: the socket's descriptor and, for TLS, the OpenSSL
/// session, which holds every byte OpenSSL has read (the rest is still in the kernel). Closed if
/// it never lands.
class stream_in_transit {
 public:
  /// Takes the connection out of `stream`; invalid when the peer has already gone.
  explicit stream_in_transit(connection_stream& stream);

  bool valid() const noexcept { return socket_.valid(); }
  /// The connection again, on `executor`'s context; call once.
  template <typename Executor>
  std::optional<connection_stream> land(const Executor& executor) {
    auto socket = socket_.land(executor);
    if (!socket) return std::nullopt;
    if (!session_) return connection_stream(std::move(*socket));
    return connection_stream(std::move(*socket), session_.release());
  }

 private:
  struct free_session {
    void operator()(SSL* s) const noexcept { SSL_free(s); }
  };
  std::unique_ptr<SSL, free_session> session_;
  socket_in_transit socket_;
};

}  // namespace engineio::detail
