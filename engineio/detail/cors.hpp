#pragma once
// Node's `cors` option, which engine.io hands to the `cors` npm package: the same headers for
// simple requests and preflights.

#include "engineio/detail/http.hpp"
#include "engineio/options.hpp"

namespace engineio::detail {

/// Adds the CORS headers for `req` to `out`; `preflight` adds the OPTIONS-only ones.
void add_cors_headers(const cors_options& cors, const request& req, bool preflight,
                      http::fields& out);

}  // namespace engineio::detail
