#pragma once
// TLS for the loopback tests: the certificates of scripts/make-test-certs.sh (a test CA, a chain
// for localhost and 127.0.0.1), made once per test process, and a blocking client that trusts
// that CA.

#include <openssl/ssl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "support/loopback.hpp"

namespace sio_test {

/// The directory of the test certificates, removed when the process ends.
inline std::filesystem::path test_certs() {
  struct made {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("sio-tls-test-" + std::to_string(::getpid()));
    made() {
      auto command = std::string(SIO_SOURCE_DIR) + "/scripts/make-test-certs.sh " + dir.string();
      if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
    }
    made(const made&) = delete;
    made& operator=(const made&) = delete;
    ~made() { std::filesystem::remove_all(dir); }
  };
  static const made certs;
  return certs.dir;
}

/// A connection over TLS, trusting `ca` and checking the name "localhost".
struct tls_client {
  tls_client(std::uint16_t port, const std::filesystem::path& ca, int max_version = 0) {
    tls.load_verify_file(ca.string());
    tls.set_verify_mode(boost::asio::ssl::verify_peer);
    if (max_version != 0) SSL_CTX_set_max_proto_version(tls.native_handle(), max_version);
    static constexpr unsigned char protocols[] = {2,   'h', '2', 8,   'h', 't',
                                                  't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(tls.native_handle(), protocols, sizeof protocols);
    stream.emplace(ctx, tls);
    SSL_set_tlsext_host_name(stream->native_handle(), "localhost");
    stream->set_verify_callback(boost::asio::ssl::host_name_verification("localhost"));
    beast::get_lowest_layer(*stream).connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(10));
    stream->handshake(boost::asio::ssl::stream_base::client, handshake_error);
  }

  http::response<http::string_body> get(const std::string& target) {
    return request(http::verb::get, target, {});
  }
  http::response<http::string_body> post(const std::string& target, std::string body) {
    return request(http::verb::post, target, std::move(body));
  }
  http::response<http::string_body> request(http::verb method, const std::string& target,
                                            std::string body) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "localhost");
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(*stream, req);
    http::response<http::string_body> res;
    http::read(*stream, buffer, res);
    return res;
  }
  std::string alpn() {
    const unsigned char* name = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(stream->native_handle(), &name, &length);
    return {reinterpret_cast<const char*>(name), length};
  }
  // The subject's common name of the certificate the server sent.
  std::string server_name() {
    X509* cert = SSL_get1_peer_certificate(stream->native_handle());
    if (!cert) return {};
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
    X509_free(cert);
    return name;
  }

  boost::asio::io_context ctx;
  boost::asio::ssl::context tls{boost::asio::ssl::context::tls_client};
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::error_code handshake_error;
  beast::flat_buffer buffer;
};

}  // namespace sio_test
