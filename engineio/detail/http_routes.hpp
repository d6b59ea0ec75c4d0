#pragma once
// The user's HTTP routes, mounts and WebSocket endpoints, and the answers they give. Filled
// before the server starts, read-only afterwards (shard threads look up concurrently).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/detail/http.hpp"
#include "engineio/http_route.hpp"
#include "engineio/websocket_endpoint.hpp"

namespace engineio::detail {

/// The request's parts the layers above see, copied out of the parser.
request_info make_request_info(const request& req, query_params query, const peer_info& peer);

/// Whether Node's setHeader would take this header: a token name, a value without control
/// characters but tab.
bool valid_header(std::string_view name, std::string_view value);

class http_routes {
 public:
  void add_route(std::string method, std::string path, http_handler handler);
  void add_mount(std::string prefix, http_handler handler);
  void add_websocket(std::string path, websocket_handler handler);

  /// The exact route for the request's method and path, or nullptr.
  const http_handler* find_route(http::verb method, std::string_view method_name,
                                 std::string_view path) const;
  /// The mount with the longest prefix of `path`, and that prefix's length.
  std::pair<const http_handler*, std::size_t> find_mount(std::string_view path) const;
  const websocket_handler* find_websocket(std::string_view path) const;

 private:
  struct route {
    std::string method;  // "*" for any
    std::string path;
    http_handler handler;
  };
  struct mount {
    std::string prefix;
    http_handler handler;
  };
  struct endpoint {
    std::string path;
    std::unique_ptr<websocket_handler> handler;  // stable address for the peers
  };
  std::vector<route> routes_;
  std::vector<mount> mounts_;
  std::vector<endpoint> websockets_;
};

/// Runs `handler` on the request and turns its answer into Beast's response. `mount_length`
/// bytes of the path belong to the mount and are cut from `http_request::path`.
response answer_route(const http_handler& handler, request& req, const peer_info& peer,
                      std::size_t mount_length);

}  // namespace engineio::detail
