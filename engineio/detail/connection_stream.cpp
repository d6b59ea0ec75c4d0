#include "engineio/detail/connection_stream.hpp"

namespace engineio::detail {

SSL* connection_stream::take_session() {
  auto& layer = std::get<tls_stream>(layers_);
  SSL* session = layer.next_layer().native_handle();
  // Ciphertext the stream read but OpenSSL has not taken yet waits in the stream's own buffers
  // (Asio's BIO pair), which cannot travel. What OpenSSL has taken is in the session.
  if (BIO_ctrl_pending(SSL_get_rbio(session)) != 0) return nullptr;
  SSL_up_ref(session);
  // The TLS layer goes here, on its own shard, before the session is used anywhere else.
  http_stream plain(std::move(layer.next_layer().next_layer()));
  layers_.emplace<http_stream>(std::move(plain));
  return session;
}

peer_info peer_of(const connection_stream& stream) {
  return {peer_address(stream.next_layer().socket()), stream.tls()};
}

stream_in_transit::stream_in_transit(connection_stream& stream) {
  if (stream.tls()) {
    session_.reset(stream.take_session());
    if (!session_) return;  // invalid: the connection closes where it is
  }
  socket_.emplace(stream.next_layer().socket());
}

}  // namespace engineio::detail
