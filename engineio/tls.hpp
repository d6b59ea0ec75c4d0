#pragma once
/// TLS for a listener (server::listen with tls_options): HTTPS and WSS on that port, TLS 1.2 and
/// 1.3 through OpenSSL, ALPN `http/1.1`.
///
/// ```cpp
/// server.listen("0.0.0.0", 443, {.cert_file = "fullchain.pem", .key_file = "privkey.pem"});
/// ```
///
/// The files are read at listen() and again at server::reload_tls() (run() calls it on SIGHUP),
/// so a renewed certificate is served without a restart.

#include <string>

namespace engineio {

struct tls_options {
  /// PEM: the server's certificate, then the intermediate certificates of its chain.
  std::string cert_file;
  /// PEM: the certificate's private key, unencrypted.
  std::string key_file;
};

}  // namespace engineio
