#pragma once
/// Engine middlewares, Node's `io.engine.use((req, res, next) => ...)`: they see every request to
/// the Engine.IO path (handshakes, polls, POSTs and WebSocket upgrades) in the order they were
/// added, before the server's own checks, and may add headers to its answer, refuse it or answer
/// it themselves (an authentication check, helmet-like headers).
///
/// ```cpp
/// io.engine().use([](eio::request_info& req, eio::string_pairs& headers,
///                    eio::middleware_next next) {
///   headers.emplace_back("X-Frame-Options", "DENY");
///   auto token = req.header("authorization");
///   if (!token) return next.respond(401, "Unauthorized");
///   req.set_local("user", std::string(*token));  // s.conn()->request().local<std::string>("user")
///   next();
/// });
/// ```

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "engineio/request.hpp"
#include "engineio/string_pairs.hpp"

namespace engineio {

namespace detail {
class middleware_run;
}

/// How a middleware lets its request go on, refuses it or answers it: one call, from any thread,
/// after any headers are added; later calls do nothing.
class middleware_next {
 public:
  middleware_next(std::shared_ptr<detail::middleware_run> run, std::size_t step)
      : run_(std::move(run)), step_(step) {}

  /// On to the next middleware, then the server's checks (Node's `next()`).
  void operator()() const;
  /// Node's `next(err)`: 400 `{"code":3,"message":"Bad request"}`, and a connection_error whose
  /// context names MIDDLEWARE_FAILURE.
  void fail() const;
  /// Answers with `status` (200..999; anything else fails the request) and a text `body`
  /// instead (Node's `res.writeHead(); res.end()`); a WebSocket upgrade answered so is closed
  /// after the answer.
  void respond(unsigned status, std::string body = {}) const;

 private:
  std::shared_ptr<detail::middleware_run> run_;
  std::size_t step_;
};

/// `headers` go out with whatever answer the request gets (Node's `res.setHeader`); one that
/// Node's setHeader would refuse (a CR or LF in it) is dropped with a warning. `req.set_local`
/// attaches a value to a handshake's session (Node's `req.session = ...`), before `next()`; the
/// locals are all that goes further, the rest being the request as received. A
/// middleware that throws fails its request, as a rejected one does in Node.
using request_middleware =
    std::function<void(request_info& req, string_pairs& headers, middleware_next next)>;

}  // namespace engineio
