#include "engineio/detail/tls_certificate.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>
#include <utility>

#include <boost/system/system_error.hpp>

namespace engineio::detail {
namespace ssl = boost::asio::ssl;
namespace {

// ALPN: HTTP/1.1 when the client offers it. A client offering only other protocols (h2) gets
// no ALPN answer and may still speak HTTP/1.1, as with Node's https server.
int select_http11(SSL*, const unsigned char** out, unsigned char* out_length,
                  const unsigned char* offered, unsigned int offered_length, void*) {
  static constexpr unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, http11, sizeof http11, offered,
                            offered_length) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

// Runs one loading step; its failure becomes an error that names the file.
template <typename Step>
void load_file(const char* option, const std::string& file, Step step) {
  try {
    step();
  } catch (const boost::system::system_error& e) {
    ERR_clear_error();
    throw std::runtime_error(fmt::format("tls {} {}: {}", option, file, e.code().message()));
  }
}

std::shared_ptr<ssl::context> load_context(const tls_options& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  auto* handle = ctx->native_handle();
  // Node's default minimum. Client-initiated renegotiation would let one peer spend our CPU. A
  // peer closing without close_notify reads as the end of the stream, as in Node.
  SSL_CTX_set_min_proto_version(handle, TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                   SSL_OP_IGNORE_UNEXPECTED_EOF);
  // tls_socket: partial writes are async_write_some's, and a retried write's bytes may have
  // moved with the operation. OpenSSL's record buffers are freed while a connection is idle.
  SSL_CTX_set_mode(handle, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                               SSL_MODE_RELEASE_BUFFERS);
  // Resumption by tickets only, which the server does not store: no session cache for clients
  // to fill.
  SSL_CTX_set_session_cache_mode(handle, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_alpn_select_cb(handle, select_http11, nullptr);
  load_file("cert_file", files.cert_file,
            [&] { ctx->use_certificate_chain_file(files.cert_file); });
  load_file("key_file", files.key_file,
            [&] { ctx->use_private_key_file(files.key_file, ssl::context::pem); });
  if (SSL_CTX_check_private_key(handle) != 1) {
    ERR_clear_error();
    throw std::runtime_error(fmt::format("tls key_file {}: not the key of the certificate in {}",
                                         files.key_file, files.cert_file));
  }
  return ctx;
}

}  // namespace

tls_certificate::tls_certificate(tls_options files)
    : files_(std::move(files)), current_(load_context(files_)) {}

std::shared_ptr<ssl::context> tls_certificate::load() const {
  return load_context(files_);
}

void tls_certificate::use(std::shared_ptr<ssl::context> context) {
  std::lock_guard lock(mutex_);
  current_ = std::move(context);
}

std::shared_ptr<ssl::context> tls_certificate::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace engineio::detail
