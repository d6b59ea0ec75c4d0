#pragma once
// A TLS listener's certificate: its PEM files loaded into an OpenSSL context, and loaded again on
// a reload. A connection takes the context current at its accept; OpenSSL's reference counting
// keeps that context alive for the connection after a reload replaced it.

#include <memory>
#include <mutex>

#include <boost/asio/ssl/context.hpp>

#include "engineio/tls.hpp"

namespace engineio::detail {

class tls_certificate {
 public:
  /// Throws std::runtime_error, naming the file, when a file cannot be read or the key does not
  /// belong to the certificate.
  explicit tls_certificate(tls_options files);

  /// The files read again into a new context; throws as the constructor does.
  std::shared_ptr<boost::asio::ssl::context> load() const;
  /// Serves `context` to the connections accepted from now on. Callable from any thread.
  void use(std::shared_ptr<boost::asio::ssl::context> context);
  /// The context for a new connection.
  std::shared_ptr<boost::asio::ssl::context> current() const;

 private:
  tls_options files_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace engineio::detail
