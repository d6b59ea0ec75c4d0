#include "engineio/detail/http_routes.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "engineio/log.hpp"

namespace engineio::detail {

// Node's setHeader refuses a name that is not a token (ERR_INVALID_HTTP_TOKEN) and a value with a
// control character other than tab (ERR_INVALID_CHAR): a CR or LF would split the response.
bool valid_header(std::string_view name, std::string_view value) {
  auto token = [](unsigned char c) {
    return c > 0x20 && c < 0x7f && std::strchr("\"(),/:;<=>?@[\\]{}", c) == nullptr;
  };
  auto text = [](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); };
  return !name.empty() && std::all_of(name.begin(), name.end(), token) &&
         std::all_of(value.begin(), value.end(), text);
}

request_info make_request_info(const request& req, query_params query, const peer_info& peer) {
  request_info info;
  info.method = std::string(req.method_string());
  info.url = std::string(req.target());
  // Sized once: sessions keep their request for life.
  std::size_t count = 0;
  std::size_t text = 0;
  for (const auto& field : req) {
    ++count;
    text += field.name_string().size() + field.value().size();
  }
  info.headers.reserve(count, text);
  std::string name;
  for (const auto& field : req) {
    name.assign(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    info.headers.emplace_back(name, field.value());
  }
  info.query = std::move(query);
  info.remote_address = peer.address;
  info.secure = peer.secure;
  return info;
}

void http_routes::add_route(std::string method, std::string path, http_handler handler) {
  routes_.push_back({std::move(method), std::move(path), std::move(handler)});
}

void http_routes::add_mount(std::string prefix, http_handler handler) {
  if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  mounts_.push_back({std::move(prefix), std::move(handler)});
  // Longest prefix first, so "/static/img" wins over "/static" and "/".
  std::stable_sort(mounts_.begin(), mounts_.end(), [](const mount& a, const mount& b) {
    return a.prefix.size() > b.prefix.size();
  });
}

void http_routes::add_websocket(std::string path, websocket_handler handler) {
  websockets_.push_back({std::move(path), std::make_unique<websocket_handler>(std::move(handler))});
}

const http_handler* http_routes::find_route(http::verb method, std::string_view method_name,
                                            std::string_view path) const {
  for (const auto& r : routes_) {
    if (r.path != path) continue;
    // HEAD is answered by GET routes, as in express.
    if (r.method == "*" || r.method == method_name ||
        (method == http::verb::head && r.method == "GET")) {
      return &r.handler;
    }
  }
  return nullptr;
}

std::pair<const http_handler*, std::size_t> http_routes::find_mount(std::string_view path) const {
  for (const auto& m : mounts_) {
    // "/static" mounts "/static" and "/static/..." but not "/staticky".
    if (path.substr(0, m.prefix.size()) != m.prefix) continue;
    if (path.size() > m.prefix.size() && path[m.prefix.size()] != '/') continue;
    return {&m.handler, m.prefix.size()};
  }
  return {nullptr, 0};
}

const websocket_handler* http_routes::find_websocket(std::string_view path) const {
  for (const auto& e : websockets_) {
    if (e.path == path) return e.handler.get();
  }
  return nullptr;
}

response answer_route(const http_handler& handler, request& req, const peer_info& peer,
                      std::size_t mount_length) {
  auto target = req.target();
  auto path = target.substr(0, target.find('?'));
  auto question = target.find('?');
  http_request in;
  static_cast<request_info&>(in) = make_request_info(
      req,
      question == std::string_view::npos ? query_params{}
                                         : decode_query(target.substr(question + 1)),
      peer);
  auto rest = path.substr(mount_length);
  in.path = rest.empty() ? std::string(1, '/') : std::string(rest);
  in.body = std::move(req.body());

  http_response out;
  try {
    out = handler(in);
  } catch (const std::exception& e) {
    // Like express's default error handler: the request gets a 500, the server goes on.
    log_warning("HTTP route {} threw: {}", in.path, e.what());
    out = http_response::text(500, "Internal Server Error");
  } catch (...) {
    log_warning("HTTP route {} threw", in.path);
    out = http_response::text(500, "Internal Server Error");
  }
  if (!std::all_of(out.headers.begin(), out.headers.end(),
                   [](const auto& h) { return valid_header(h.first, h.second); })) {
    // Where Node's setHeader would have thrown: the same 500, and nothing of the answer is sent.
    log_warning("HTTP route {} set a header with an invalid name or value", in.path);
    out = http_response::text(500, "Internal Server Error");
  }
  response res{static_cast<http::status>(out.status), req.version()};
  for (auto& [name, value] : out.headers) res.insert(name, value);
  res.body() = std::move(out.body);
  return res;
}

}  // namespace engineio::detail
