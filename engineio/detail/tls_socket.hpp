#pragma once
// TLS straight over the socket: OpenSSL reads and writes the descriptor itself (SSL_set_fd), and
// an operation OpenSSL cannot finish waits for the socket to become ready, then tries again.
// Asio's ssl::stream copies every byte through two 17 KiB buffers and a BIO pair of as much
// again, which an idle connection keeps; here an idle connection holds its SSL object alone
// (OpenSSL frees its record buffers between reads with SSL_MODE_RELEASE_BUFFERS), and the
// session moves to another event loop with its descriptor, nothing left behind in a buffer.

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "engineio/detail/http.hpp"

namespace engineio::detail {

class tls_socket {
 public:
  using executor_type = http_stream::executor_type;

  /// Takes ownership of `session`, an SSL object for the socket of `next` (see
  /// connection_stream); the handshake may be done already (a session that moved here). Not
  /// movable: pending operations refer to it (connection_stream holds it by pointer).
  tls_socket(http_stream next, SSL* session);
  tls_socket(tls_socket&&) = delete;
  tls_socket& operator=(tls_socket&&) = delete;
  tls_socket(const tls_socket&) = delete;
  tls_socket& operator=(const tls_socket&) = delete;
  ~tls_socket();

  executor_type get_executor() noexcept { return next_.get_executor(); }
  http_stream& next_layer() noexcept { return next_; }
  const http_stream& next_layer() const noexcept { return next_; }
  /// Gives the session up (it moves with the socket's descriptor to another event loop).
  SSL* release_session() noexcept { return std::exchange(ssl_, nullptr); }

  /// Closes the socket at `timeout` from now, failing what waits on it (basic_stream's
  /// timeouts do not reach the waits made here).
  void expires_after(std::chrono::steady_clock::duration timeout);
  void expires_never();

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    auto target = beast::buffers_front(buffers);
    return start<true>(std::forward<Token>(token), [this, target](std::size_t& n) {
      return target.size() == 0 ? 1 : SSL_read_ex(ssl_, target.data(), target.size(), &n);
    });
  }
  /// Several small buffers (a header and its body) are joined into one TLS record.
  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    auto first = beast::buffers_front(buffers);
    auto total = beast::buffer_bytes(buffers);
    std::string joined;
    if (first.size() < total && total <= max_joined_write) {
      joined.resize(total);
      asio::buffer_copy(asio::buffer(joined), buffers);
    }
    return start<true>(
        std::forward<Token>(token), [this, first, joined = std::move(joined)](std::size_t& n) {
          if (!joined.empty()) return SSL_write_ex(ssl_, joined.data(), joined.size(), &n);
          return first.size() == 0 ? 1 : SSL_write_ex(ssl_, first.data(), first.size(), &n);
        });
  }
  /// The server side of the handshake.
  template <typename Token>
  auto async_handshake(Token&& token) {
    return start<false>(std::forward<Token>(token),
                        [this](std::size_t&) { return SSL_do_handshake(ssl_); });
  }
  /// Sends close_notify; does not wait for the peer's.
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return start<false>(std::forward<Token>(token),
                        [this](std::size_t&) { return SSL_shutdown(ssl_) >= 0 ? 1 : -1; });
  }

  /// Beast's WebSocket close: close_notify, then the socket's own teardown.
  template <typename Handler>
  friend void async_teardown(beast::role_type role, tls_socket& s, Handler&& handler) {
    s.async_shutdown(
        [&s, role, handler = std::forward<Handler>(handler)](beast::error_code) mutable {
          using beast::websocket::async_teardown;
          async_teardown(role, s.next_, std::move(handler));
        });
  }

 private:
  static constexpr std::size_t max_joined_write = std::size_t{16} * 1024;

  // One OpenSSL call, made again each time the socket is ready as OpenSSL asked, until it
  // succeeds or fails. `Sized` operations complete with the byte count too.
  template <bool Sized, typename Attempt>
  class op {
   public:
    op(tls_socket& s, Attempt attempt) : s_(s), attempt_(std::move(attempt)) {}

    template <typename Self>
    void operator()(Self& self, beast::error_code wait_error = {}) {
      if (finished_) return complete(self);
      if (wait_error) {
        result_ = wait_error;
        return complete(self);
      }
      ERR_clear_error();
      int status = attempt_(bytes_);
      int error = status > 0 ? SSL_ERROR_NONE : SSL_get_error(s_.ssl_, status);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        waited_ = true;
        auto wait =
            error == SSL_ERROR_WANT_READ ? stream_socket::wait_read : stream_socket::wait_write;
        return s_.next_.socket().async_wait(wait, std::move(self));
      }
      result_ = to_error_code(error);
      // Never complete inside the initiating function.
      if (waited_) return complete(self);
      finished_ = true;
      asio::post(s_.get_executor(), std::move(self));
    }

   private:
    template <typename Self>
    void complete(Self& self) {
      if constexpr (Sized) {
        self.complete(result_, result_ ? 0 : bytes_);
      } else {
        self.complete(result_);
      }
    }

    tls_socket& s_;
    Attempt attempt_;
    std::size_t bytes_ = 0;
    beast::error_code result_;
    bool waited_ = false;
    bool finished_ = false;
  };

  template <bool Sized, typename Token, typename Attempt>
  auto start(Token&& token, Attempt attempt) {
    if constexpr (Sized) {
      return asio::async_compose<Token, void(beast::error_code, std::size_t)>(
          op<true, Attempt>(*this, std::move(attempt)), token, next_.socket());
    } else {
      return asio::async_compose<Token, void(beast::error_code)>(
          op<false, Attempt>(*this, std::move(attempt)), token, next_.socket());
    }
  }

  static beast::error_code to_error_code(int ssl_error);

  http_stream next_;
  SSL* ssl_;
  asio::steady_timer deadline_;
};

}  // namespace engineio::detail
