#include "engineio/detail/cors.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "engineio/log.hpp"

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

void add_cors_headers(const cors_options& cors, std::string_view origin,
                      std::string_view requested_headers, bool preflight, http::fields& out) {
  if (!cors_enabled(cors)) return;
  add_origin(cors, origin, out);
  if (cors.credentials) out.set(http::field::access_control_allow_credentials, "true");
  if (preflight) {
    out.set(http::field::access_control_allow_methods, join(cors.methods));
    if (cors.allowed_headers.empty()) {
      if (!requested_headers.empty()) {
        out.set(http::field::access_control_allow_headers, requested_headers);
      }
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

request_middleware cors_middleware(cors_delegate delegate) {
  return [delegate = std::move(delegate)](const request_info& req, string_pairs& headers,
                                          const middleware_next& next) {
    bool preflight = req.method == "OPTIONS";
    auto once = std::make_shared<std::atomic<bool>>(false);
    cors_callback done = [&req, &headers, next, preflight, once](std::optional<cors_options> cors) {
      if (once->exchange(true)) return;  // the headers may be on their way already
      if (!cors) return next.fail();
      http::fields fields;
      add_cors_headers(*cors, req.header("origin").value_or(""),
                       req.header("access-control-request-headers").value_or(""), preflight,
                       fields);
      for (const auto& f : fields) headers.emplace_back(f.name_string(), f.value());
      if (preflight && cors_enabled(*cors) && !cors->preflight_continue) {
        return next.respond(cors->options_success_status);
      }
      next();
    };
    // A delegate that throws after handing `done` to another thread must not race it: the
    // throw answers through `done` too, and the first answer wins.
    try {
      delegate(req, done);
    } catch (...) {
      log_warning("CORS delegate threw");
      done(std::nullopt);
    }
  };
}

}  // namespace engineio::detail
