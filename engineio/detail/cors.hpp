#pragma once
// Node's `cors` option, which engine.io hands to the `cors` npm package: the same headers for
// simple requests and preflights, from fixed options or from a per-request delegate.

#include <string_view>

#include "engineio/detail/http.hpp"
#include "engineio/middleware.hpp"
#include "engineio/options.hpp"

namespace engineio::detail {

/// Whether `cors` applies at all (Node's `origin: false` turns it off).
inline bool cors_enabled(const cors_options& cors) {
  return cors.origin_predicate || !cors.origin.empty();
}

/// Adds the CORS headers for a request from `origin` to `out`; `preflight` adds the
/// OPTIONS-only ones, with the `requested_headers` of Access-Control-Request-Headers.
void add_cors_headers(const cors_options& cors, std::string_view origin,
                      std::string_view requested_headers, bool preflight, http::fields& out);

inline void add_cors_headers(const cors_options& cors, const request& req, bool preflight,
                             http::fields& out) {
  add_cors_headers(cors, req[http::field::origin], req[http::field::access_control_request_headers],
                   preflight, out);
}

/// The engine middleware that asks `delegate` for each request's options: it adds their
/// headers, answers a preflight (unless it continues) and fails the request on an error.
request_middleware cors_middleware(cors_delegate delegate);

}  // namespace engineio::detail
