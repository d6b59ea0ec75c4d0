#include "engineio/detail/cors.hpp"

#include <algorithm>
#include <string>

namespace engineio::detail {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

void add_vary(http::fields& out, std::string_view name) {
  auto existing = out[http::field::vary];
  if (existing.empty()) {
    out.set(http::field::vary, name);
  } else {
    out.set(http::field::vary, std::string(existing) + ", " + std::string(name));
  }
}

void add_origin(const cors_options& cors, std::string_view origin, http::fields& out) {
  if (!cors.origin_predicate && cors.origin.size() == 1 && cors.origin.front() == "*") {
    out.set(http::field::access_control_allow_origin, "*");
    return;
  }
  if (!cors.origin_predicate && cors.origin.size() == 1) {
    out.set(http::field::access_control_allow_origin, cors.origin.front());
    add_vary(out, "Origin");
    return;
  }
  bool allowed = cors.origin_predicate ? cors.origin_predicate(origin)
                                       : std::find(cors.origin.begin(), cors.origin.end(),
                                                   origin) != cors.origin.end();
  if (allowed && !origin.empty()) out.set(http::field::access_control_allow_origin, origin);
  add_vary(out, "Origin");
}

}  // namespace

void add_cors_headers(const cors_options& cors, const request& req, bool preflight,
                      http::fields& out) {
  add_origin(cors, req[http::field::origin], out);
  if (cors.credentials) out.set(http::field::access_control_allow_credentials, "true");
  if (preflight) {
    out.set(http::field::access_control_allow_methods, join(cors.methods));
    if (cors.allowed_headers.empty()) {
      auto requested = req[http::field::access_control_request_headers];
      if (!requested.empty()) out.set(http::field::access_control_allow_headers, requested);
      add_vary(out, "Access-Control-Request-Headers");
    } else {
      out.set(http::field::access_control_allow_headers, join(cors.allowed_headers));
    }
    if (cors.max_age)
      out.set(http::field::access_control_max_age, std::to_string(cors.max_age->count()));
  }
  if (!cors.exposed_headers.empty()) {
    out.set(http::field::access_control_expose_headers, join(cors.exposed_headers));
  }
}

}  // namespace engineio::detail
