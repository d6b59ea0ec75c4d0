#pragma once
// TLS straight over the socket: OpenSSL reads and writes the descriptor itself (through a BIO
// that sends with MSG_NOSIGNAL), and an operation OpenSSL cannot finish waits for the socket to
// become ready, then tries again. Asio's ssl::stream copies every byte through two 17 KiB
// buffers and a BIO pair of as much again, which an idle connection keeps; here an idle
// connection holds its SSL object alone (OpenSSL frees its record buffers between reads with
// SSL_MODE_RELEASE_BUFFERS), and the session moves to another event loop with its descriptor,
// nothing left behind in a buffer.

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
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
  /// connection_stream); the handshake may be done already (a session that moved here).
  tls_socket(http_stream next, SSL* session);
  tls_socket(tls_socket&&) noexcept = default;
  tls_socket& operator=(tls_socket&&) = delete;
  tls_socket(const tls_socket&) = delete;
  tls_socket& operator=(const tls_socket&) = delete;
  /// Closes the socket, which ends the operations in progress (they keep the state alive).
  ~tls_socket();

  executor_type get_executor() noexcept { return state_->next.get_executor(); }
  http_stream& next_layer() noexcept { return state_->next; }
  const http_stream& next_layer() const noexcept { return state_->next; }
  /// Gives the session up (it moves with the socket's descriptor to another event loop); the
  /// operations in progress end with operation_aborted.
  SSL* release_session() noexcept;
  /// Ends the operations in progress with operation_aborted, including one whose wait is
  /// already over (a socket's cancel would let that one read on).
  void cancel();

  /// Closes the socket at `timeout` from now, failing what waits on it (basic_stream's
  /// timeouts do not reach the waits made here).
  void expires_after(std::chrono::steady_clock::duration timeout);
  void expires_never();

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    auto target = beast::buffers_front(buffers);
    return start<true>(std::forward<Token>(token), [target](SSL* ssl, std::size_t& n) {
      return target.size() == 0 ? 1 : SSL_read_ex(ssl, target.data(), target.size(), &n);
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
        std::forward<Token>(token), [first, joined = std::move(joined)](SSL* ssl, std::size_t& n) {
          if (!joined.empty()) return SSL_write_ex(ssl, joined.data(), joined.size(), &n);
          return first.size() == 0 ? 1 : SSL_write_ex(ssl, first.data(), first.size(), &n);
        });
  }
  /// The server side of the handshake.
  template <typename Token>
  auto async_handshake(Token&& token) {
    return start<false>(std::forward<Token>(token),
                        [](SSL* ssl, std::size_t&) { return SSL_do_handshake(ssl); });
  }
  /// Sends close_notify; does not wait for the peer's.
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return start<false>(std::forward<Token>(token),
                        [](SSL* ssl, std::size_t&) { return SSL_shutdown(ssl) >= 0 ? 1 : -1; });
  }

  /// Beast's WebSocket close: close_notify, then the socket's own teardown.
  template <typename Handler>
  friend void async_teardown(beast::role_type role, tls_socket& s, Handler&& handler) {
    s.async_shutdown([state = s.state_, role,
                      handler = std::forward<Handler>(handler)](beast::error_code) mutable {
      using beast::websocket::async_teardown;
      async_teardown(role, state->next, std::move(handler));
    });
  }

 private:
  static constexpr std::size_t max_joined_write = std::size_t{16} * 1024;

  // What the operations in progress share with the socket, and keep alive when it goes.
  struct state {
    state(http_stream stream, SSL* session);
    ~state();
    state(const state&) = delete;
    state& operator=(const state&) = delete;

    http_stream next;
    SSL* ssl;
    asio::steady_timer deadline;
    std::uint64_t epoch = 0;           // cancel() and release_session() end older operations
    std::uint64_t deadline_epoch = 0;  // a new deadline (or none) disarms an expired one
  };

  // One OpenSSL call, made again each time the socket is ready as OpenSSL asked, until it
  // succeeds or fails. `Sized` operations complete with the byte count too.
  template <bool Sized, typename Attempt>
  class op {
   public:
    op(std::shared_ptr<state> s, Attempt attempt)
        : state_(std::move(s)), epoch_(state_->epoch), attempt_(std::move(attempt)) {}

    template <typename Self>
    void operator()(Self& self, beast::error_code wait_error = {}) {
      if (finished_) return complete(self);
      if (wait_error) {
        result_ = wait_error;
        return complete(self);
      }
      // Cancelled or given up since it began (its wait may have ended meanwhile), or closed:
      // OpenSSL would read a descriptor that is no longer this connection's.
      if (epoch_ != state_->epoch || !state_->next.socket().is_open()) {
        result_ = asio::error::operation_aborted;
        return complete(self);
      }
      ERR_clear_error();
      errno = 0;
      int status = attempt_(state_->ssl, bytes_);
      int error = status > 0 ? SSL_ERROR_NONE : SSL_get_error(state_->ssl, status);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        waited_ = true;
        auto wait =
            error == SSL_ERROR_WANT_READ ? stream_socket::wait_read : stream_socket::wait_write;
        return state_->next.socket().async_wait(wait, std::move(self));
      }
      result_ = to_error_code(error);
      // Never complete inside the initiating function.
      if (waited_) return complete(self);
      finished_ = true;
      auto executor = state_->next.get_executor();
      asio::post(executor, std::move(self));
    }

   private:
    template <typename Self>
    void complete(Self& self) {
      state_.reset();
      if constexpr (Sized) {
        self.complete(result_, result_ ? 0 : bytes_);
      } else {
        self.complete(result_);
      }
    }

    std::shared_ptr<state> state_;
    std::uint64_t epoch_;
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
          op<true, Attempt>(state_, std::move(attempt)), token, state_->next.socket());
    } else {
      return asio::async_compose<Token, void(beast::error_code)>(
          op<false, Attempt>(state_, std::move(attempt)), token, state_->next.socket());
    }
  }

  static beast::error_code to_error_code(int ssl_error);

  std::shared_ptr<state> state_;
};

}  // namespace engineio::detail
