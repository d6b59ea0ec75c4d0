#include "engineio/detail/pending_request.hpp"

#include <boost/beast/core/string.hpp>

#include <fmt/format.h>

#include <vector>

#include "engineio/detail/json_string.hpp"

namespace engineio::detail {

void pending_request::respond(http::status status, std::string body,
                              std::string_view content_type) {
  response res{status, req_.version()};
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  respond(std::move(res));
}

void pending_request::respond(response res) {
  // The answer's own headers win over the shared ones of the same name (Node's writeHead over
  // setHeader); a shared name may come several times (Set-Cookie).
  if (headers_.begin() != headers_.end()) {
    std::vector<bool> own;
    for (const auto& field : headers_) own.push_back(res.find(field.name_string()) != res.end());
    auto is_own = own.begin();
    for (const auto& field : headers_) {
      if (!*is_own++) res.insert(field.name_string(), field.value());
    }
  }
  // An answer that closes (a refused upgrade) stays so; any other keeps the client's choice.
  if (!beast::iequals(res[http::field::connection], "close")) res.keep_alive(req_.keep_alive());
  res.prepare_payload();
  if (res.result() == http::status::not_modified) {
    res.erase(http::field::content_length);  // Node sends none on a 304, which has no body
  } else if (req_.method() == http::verb::head) {
    // The length of what a GET would get, and no body, as Node's http does for HEAD.
    auto length = res.body().size();
    res.body().clear();
    if (res.has_content_length()) res.content_length(length);
  }
  conn_->send_response(std::move(res));
}

void pending_request::respond_error(request_error error, std::string_view message) {
  std::string body = fmt::format(R"({{"code":{},"message":)", static_cast<unsigned>(error));
  append_json_string(body, message.empty() ? default_message(error) : message);
  body += '}';
  respond(static_cast<http::status>(http_status(error)), std::move(body), "application/json");
}

}  // namespace engineio::detail
