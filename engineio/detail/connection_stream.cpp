#include "engineio/detail/connection_stream.hpp"

#include <new>

namespace engineio::detail {

namespace {

SSL* new_session(asio::ssl::context& tls) {
  SSL* session = SSL_new(tls.native_handle());
  if (!session) throw std::bad_alloc();
  SSL_set_accept_state(session);
  return session;
}

}  // namespace

connection_stream::connection_stream(stream_socket socket, asio::ssl::context& tls)
    : connection_stream(std::move(socket), new_session(tls)) {}

peer_info peer_of(const connection_stream& stream) {
  return {peer_address(stream.next_layer().socket()), stream.tls()};
}

// The session first: the socket's descriptor is released from the stream that holds it.
stream_in_transit::stream_in_transit(connection_stream& stream)
    : session_(stream.tls() ? stream.release_session() : nullptr),
      socket_(stream.next_layer().socket()) {}

}  // namespace engineio::detail
