#pragma once
// An HTTP request on its way to an answer. It may be handed to the shard that owns the session
// and answered from there; the answer always travels back to the connection's own shard.

#include <functional>
#include <memory>

#include "engineio/detail/http.hpp"
#include "engineio/detail/http_connection.hpp"
#include "engineio/error.hpp"

namespace engineio::detail {

class pending_request {
 public:
  pending_request(request req, std::shared_ptr<http_connection> conn, http::fields headers)
      : req_(std::move(req)), conn_(std::move(conn)), headers_(std::move(headers)) {}

  request& req() noexcept { return req_; }
  const request& req() const noexcept { return req_; }
  /// Headers every answer carries (CORS, the session cookie).
  http::fields& headers() noexcept { return headers_; }

  /// Answers with `status`, the common headers, and `body` of `content_type` (if any).
  void respond(http::status status, std::string body = {}, std::string_view content_type = {});
  void respond(response res);

  /// Runs `f` on `executor` if the client drops the connection before the answer.
  void on_abandon(asio::any_io_executor executor, std::function<void()> f) {
    conn_->on_abandon(std::move(executor), std::move(f));
  }

  /// Answers as Node's abortRequest: 400 (403 for forbidden) and {"code":N,"message":"..."},
  /// with Node's message for the error unless `message` is given.
  void respond_error(request_error error, std::string_view message = {});

  http_connection& connection() noexcept { return *conn_; }

 private:
  request req_;
  std::shared_ptr<http_connection> conn_;
  http::fields headers_;
};

}  // namespace engineio::detail
