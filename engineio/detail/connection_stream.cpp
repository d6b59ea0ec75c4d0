#include "engineio/detail/connection_stream.hpp"

#include <new>

namespace engineio::detail {

connection_stream::connection_stream(stream_socket socket, asio::ssl::context& tls)
    : layers_(std::in_place_type<http_stream>, std::move(socket)) {
  SSL* session = SSL_new(tls.native_handle());
  if (!session) throw std::bad_alloc();
  SSL_set_accept_state(session);
  layers_ = std::make_unique<tls_socket>(std::move(std::get<http_stream>(layers_)), session);
}

peer_info peer_of(const connection_stream& stream) {
  return {peer_address(stream.next_layer().socket()), stream.tls()};
}

// The session first: the socket's descriptor is released from the stream that holds it.
stream_in_transit::stream_in_transit(connection_stream& stream)
    : session_(stream.tls() ? stream.release_session() : nullptr),
      socket_(stream.next_layer().socket()) {}

}  // namespace engineio::detail
