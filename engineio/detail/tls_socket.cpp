#include "engineio/detail/tls_socket.hpp"

#include <openssl/bio.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

namespace engineio::detail {
namespace {

// OpenSSL's socket BIO writes with write(), which raises SIGPIPE on a connection the peer
// reset; this one sends with MSG_NOSIGNAL, as Asio does. The descriptor is the BIO's data.
int descriptor(BIO* bio) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

// A read or write that would block asks OpenSSL to retry (SSL_ERROR_WANT_READ/WRITE); a read of
// nothing is the peer's close, which BIO_CTRL_EOF reports (OpenSSL then reads it as the end of
// the stream, SSL_OP_IGNORE_UNEXPECTED_EOF).
int finish(BIO* bio, ssize_t result, bool reading) {
  BIO_clear_retry_flags(bio);
  if (reading && result == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
  if (result >= 0) return static_cast<int>(result);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
    if (reading) {
      BIO_set_retry_read(bio);
    } else {
      BIO_set_retry_write(bio);
    }
  }
  return -1;
}

int socket_read(BIO* bio, char* data, int size) {
  return finish(bio, ::recv(descriptor(bio), data, static_cast<std::size_t>(size), 0), true);
}

int socket_write(BIO* bio, const char* data, int size) {
  return finish(bio, ::send(descriptor(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL),
                false);
}

long socket_ctrl(BIO* bio, int command, long, void*) {  // NOLINT(google-runtime-int): OpenSSL's
  if (command == BIO_CTRL_FLUSH) return 1;
  if (command == BIO_CTRL_EOF) return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
  return 0;
}

const BIO_METHOD* socket_method() {
  static BIO_METHOD* method = [] {
    auto* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                           "sio socket");
    BIO_meth_set_read(m, socket_read);
    BIO_meth_set_write(m, socket_write);
    BIO_meth_set_ctrl(m, socket_ctrl);
    return m;
  }();
  return method;
}

}  // namespace

tls_socket::state::state(http_stream stream, SSL* session)
    : next(std::move(stream)), ssl(session), deadline(next.get_executor()) {}

tls_socket::state::~state() {
  if (ssl) SSL_free(ssl);  // frees the BIO; the descriptor is the socket's to close
}

tls_socket::tls_socket(http_stream next, SSL* session)
    : state_(std::make_shared<state>(std::move(next), session)) {
  auto& socket = state_->next.socket();
  beast::error_code ec;
  socket.non_blocking(true, ec);  // OpenSSL's own reads and writes must not block
  // A session that moved here already has its BIO, on the same descriptor number.
  if (SSL_get_rbio(session) != nullptr) return;
  BIO* bio = BIO_new(socket_method());
  auto fd = static_cast<std::intptr_t>(socket.native_handle());
  BIO_set_data(bio, reinterpret_cast<void*>(fd));  // NOLINT(performance-no-int-to-ptr): a number
  BIO_set_init(bio, 1);
  SSL_set_bio(session, bio, bio);
}

tls_socket::~tls_socket() {
  if (!state_) return;  // moved from
  beast::error_code ec;
  state_->next.socket().close(ec);
}

SSL* tls_socket::release_session() noexcept {
  ++state_->epoch;
  return std::exchange(state_->ssl, nullptr);
}

void tls_socket::cancel() {
  ++state_->epoch;
  beast::error_code ec;
  state_->next.socket().cancel(ec);
}

// The timer's handler may run after a newer deadline, or none, was set, or after the socket
// went: it closes only the socket whose deadline it still is.
void tls_socket::expires_after(std::chrono::steady_clock::duration timeout) {
  auto epoch = ++state_->deadline_epoch;
  state_->deadline.expires_after(timeout);
  state_->deadline.async_wait([weak = std::weak_ptr<state>(state_), epoch](beast::error_code) {
    auto s = weak.lock();
    if (!s || s->deadline_epoch != epoch) return;
    beast::error_code ec;
    s->next.socket().close(ec);
  });
}

void tls_socket::expires_never() {
  ++state_->deadline_epoch;
  state_->deadline.cancel();
}

beast::error_code tls_socket::to_error_code(int ssl_error) {
  switch (ssl_error) {
    case SSL_ERROR_NONE:
      return {};
    case SSL_ERROR_ZERO_RETURN:  // close_notify, or (SSL_OP_IGNORE_UNEXPECTED_EOF) a bare close
      return asio::error::eof;
    case SSL_ERROR_SYSCALL:
      return errno != 0 ? beast::error_code(errno, boost::system::system_category())
                        : beast::error_code(asio::error::eof);
    default: {
      auto code = ERR_get_error();
      ERR_clear_error();
      if (code == 0) return asio::error::connection_aborted;
      return {static_cast<int>(code), asio::error::get_ssl_category()};
    }
  }
}

}  // namespace engineio::detail
