#pragma once
/// A namespace: its middlewares, connection handlers, sockets and rooms (Node's `Namespace`).
///
/// ```cpp
/// auto& admin = io.of("/admin");
/// admin.use([](sio::socket& s, sio::next next) {
///   s.handshake().auth["token"] == "secret" ? next() : next(sio::connect_error{"not authorized"});
/// });
/// admin.on_connection([](sio::socket& s) { s.emit("welcome"); });
/// ```

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "socketio/adapter.hpp"
#include "socketio/broadcast_operator.hpp"
#include "socketio/socket.hpp"

namespace socketio {

namespace detail {
class session_store;  // socketio/detail/session_store.hpp
}  // namespace detail

class server;

/// Continues (no argument) or refuses (a connect_error) a connection; callable from any thread.
class next {
 public:
  explicit next(std::function<void(std::optional<connect_error>)> fn) : fn_(std::move(fn)) {}
  void operator()(std::optional<connect_error> error = std::nullopt) const {
    fn_(std::move(error));
  }

 private:
  std::function<void(std::optional<connect_error>)> fn_;
};

using middleware = std::function<void(socket&, next)>;
using connection_handler = std::function<void(socket&)>;
/// Answers an event that another server sent with an ack; only the first call counts. Empty
/// when the sender asked for no answer.
using server_reply = std::function<void(value)>;
using server_event_handler = std::function<void(const args& values, const server_reply& reply)>;

/// Owned through shared_ptr (the server, its sockets and broadcast operators share it): a child
/// of a dynamic namespace may be removed while some of them still act on it.
class namespace_ : public std::enable_shared_from_this<namespace_> {
 public:
  /// `make_adapter` overrides the server's adapter factory (dynamic namespace parents).
  namespace_(server& owner, std::string name, const adapter_factory& make_adapter = {});
  ~namespace_();
  namespace_(const namespace_&) = delete;
  namespace_& operator=(const namespace_&) = delete;

  const std::string& name() const noexcept { return name_; }
  server& owner() noexcept { return server_; }
  /// Sockets connected to this namespace on this server, from any thread (Node's
  /// `nsp.sockets.size`).
  std::size_t socket_count() const noexcept { return connected_sockets_; }

  /// From any thread, at any time: a CONNECT runs the middlewares and handlers there were when
  /// it arrived, as Node copies its list.
  void use(middleware m);
  /// The id removes the handler with off_connection (Node's `nsp.off("connection", fn)`).
  listener_id on_connection(connection_handler h);
  void off_connection(listener_id id);
  /// A child of a dynamic namespace starts with its parent's middlewares and handlers.
  void inherit(const namespace_& parent);

  broadcast_operator to(const room& r) { return broadcast_operator(*this).to(r); }
  broadcast_operator in(const room& r) { return to(r); }
  broadcast_operator except(const room& r) { return broadcast_operator(*this).except(r); }
  broadcast_operator local() { return broadcast_operator(*this).local(); }
  broadcast_operator volatile_() { return broadcast_operator(*this).volatile_(); }
  broadcast_operator compress(bool on) { return broadcast_operator(*this).compress(on); }
  broadcast_operator timeout(std::chrono::milliseconds ms) {
    return broadcast_operator(*this).timeout(ms);
  }
  template <typename... Args>
  void emit(std::string_view event, Args&&... values) {
    broadcast_operator(*this).emit(event, std::forward<Args>(values)...);
  }
  void emit_args(std::string_view event, args values) {
    broadcast_operator(*this).emit_args(event, std::move(values));
  }
  /// Node's `nsp.send(...)` and `nsp.write(...)`: a "message" event.
  template <typename... Args>
  void send(Args&&... values) {
    emit("message", std::forward<Args>(values)...);
  }
  /// Node's `nsp.allSockets()`: the ids of the namespace's sockets on every server of the
  /// cluster, on the caller's shard (shard 0 for other threads); `error` when a server did not
  /// answer in time.
  void all_sockets(
      std::function<void(std::set<std::string> ids, std::optional<std::string> error)> done);
  void disconnect_sockets(bool close = false) {
    broadcast_operator(*this).disconnect_sockets(close);
  }
  void fetch_sockets(std::function<void(fetch_result)> done) {
    broadcast_operator(*this).fetch_sockets(std::move(done));
  }
  void sockets_join(const std::vector<room>& rooms) {
    broadcast_operator(*this).sockets_join(rooms);
  }
  void sockets_leave(const std::vector<room>& rooms) {
    broadcast_operator(*this).sockets_leave(rooms);
  }
  /// Node's serverSideEmit: an event for the other servers of the cluster.
  void server_side_emit(std::string_view event, args values,
                        std::function<void(ack_result)> ack = {});
  /// Handles an event that other servers send with server_side_emit (Node's `nsp.on(event)`).
  /// Set up before the server starts; handlers run on shard 0.
  void on_server_event(const std::string& event, server_event_handler h) {
    server_events_[event].push_back(std::move(h));
  }
  /// Called by cluster adapters, on shard 0, with [event, ...args].
  void deliver_server_event(const args& values, server_reply reply);

  /// Its rooms and broadcasts (Node's `nsp.adapter`).
  class adapter& adapter() noexcept {
    return *adapter_;
  }

 private:
  friend class broadcast_operator;
  friend class client;
  friend class server;
  friend class socket;
  using middleware_list = std::shared_ptr<const std::vector<middleware>>;
  struct connection_entry {
    listener_id id;
    connection_handler fn;
  };
  using handler_list = std::shared_ptr<const std::vector<connection_entry>>;
  middleware_list middlewares() const;
  handler_list connection_handlers() const;
  /// Replaces the adapter (before the server runs); empty means the in-memory one.
  void init_adapter(const adapter_factory& make_adapter);
  /// A dynamic namespace's parent, whose adapter reaches its children.
  bool is_dynamic_parent() const noexcept { return dynamic_parent_; }
  /// The recovery store, when connection state recovery is on.
  detail::session_store* recovery() noexcept { return recovery_.get(); }
  /// One of this namespace's sockets is gone (`connected`: it had joined).
  void release(bool connected);
  /// The server is going: the adapter goes with it (a Redis client must not outlive the shards),
  /// and the sockets still around no longer report to the server.
  void detach() {
    detached_ = true;  // first: what the adapter's destruction releases must not call back
    adapter_.reset();
  }

  server& server_;
  std::string name_;
  // Replaced, never changed in place: a CONNECT keeps the lists it started with.
  mutable std::mutex lists_mutex_;
  middleware_list middlewares_ = std::make_shared<const std::vector<middleware>>();
  handler_list connection_handlers_ = std::make_shared<const std::vector<connection_entry>>();
  listener_id next_connection_id_ = 0;
  std::unordered_map<std::string, std::vector<server_event_handler>> server_events_;
  std::unique_ptr<class adapter> adapter_;
  std::atomic<std::size_t> connected_sockets_{0};
  bool dynamic_parent_ = false;
  std::unique_ptr<detail::session_store> recovery_;
  std::atomic<bool> detached_{false};
  // A dynamic parent's child: its parent, the sockets connecting or connected to it, whether a
  // socket ever joined it, and whether the application holds it (of()); the server's namespaces
  // mutex guards them.
  namespace_* parent_ = nullptr;
  std::size_t members_ = 0;
  bool established_ = false;
  bool pinned_ = false;
};

}  // namespace socketio
