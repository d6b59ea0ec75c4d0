#pragma once
/// Dynamic namespaces: Node's `io.of(/regex/)` and `io.of((name, auth, next) => ...)`. The parent
/// holds the middlewares and connection handlers; every namespace name it accepts becomes a child
/// namespace created on first connection, which starts with the parent's middlewares and
/// handlers. A broadcast from the parent reaches every child.
///
/// ```cpp
/// auto& workspaces = io.of(std::regex("^/workspace-\\d+$"));
/// workspaces.on_connection([](sio::socket& s) { s.emit("hello", s.nsp().name()); });
/// workspaces.emit("maintenance");  // to every /workspace-N
/// ```

#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "socketio/adapter.hpp"
#include "socketio/namespace.hpp"

namespace socketio {

/// Decides whether a namespace name (with the client's auth) may be created.
using namespace_matcher = std::function<bool(std::string_view name, const value& auth)>;
/// The answer of an asynchronous matcher: `next(true)` accepts the name. Call it once, from any
/// thread, later if need be, while the server runs.
using namespace_next = std::function<void(bool accepted)>;
/// Node's `io.of((name, auth, next) => ...)`, for an answer that needs a lookup (a database).
/// Runs on the connecting client's shard; copy what you keep of `name` and `auth`.
using async_namespace_matcher =
    std::function<void(const std::string& name, const value& auth, namespace_next next)>;

/// The parent's adapter: every operation goes to each child's adapter.
class parent_adapter final : public adapter {
 public:
  using adapter::adapter;

  void add_child(std::shared_ptr<namespace_> child);
  void remove_child(const namespace_& child);

  void broadcast(const packet& p, const broadcast_options& opts) override;
  void broadcast_with_ack(const packet& p, const broadcast_options& opts,
                          std::function<void(std::size_t)> on_count,
                          std::function<void(value)> on_response) override;
  void add_sockets(const broadcast_options& opts, const std::vector<room>& rooms) override;
  void del_sockets(const broadcast_options& opts, const std::vector<room>& rooms) override;
  void disconnect_sockets(const broadcast_options& opts, bool close) override;
  void fetch_sockets(const broadcast_options& opts,
                     std::function<void(fetch_result)> done) override;

 private:
  /// A copy: a child removed meanwhile stays alive until the operation is done with it.
  std::vector<std::shared_ptr<namespace_>> children() const;

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<namespace_>> children_;
};

}  // namespace socketio
