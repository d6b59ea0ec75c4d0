#pragma once
/// A broadcast target, built step by step and immutable: Node's `BroadcastOperator`.
///
/// ```cpp
/// io.to("room1").to("room2").except("muted").emit("news", "hello");
/// io.local().volatile_().emit("tick", n);
/// io.timeout(5s).emit_with_ack("ping", {}, [](sio::ack_result r) { /* r.values: one per client */
/// });
/// ```
///
/// Callable from any thread. The packet is encoded once and shared by every recipient.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "socketio/adapter.hpp"
#include "socketio/socket.hpp"

namespace socketio {

class namespace_;

class broadcast_operator {
 public:
  explicit broadcast_operator(namespace_& nsp, broadcast_options opts = {});

  broadcast_operator to(const room& r) const;
  broadcast_operator to(const std::vector<room>& rs) const;
  broadcast_operator in(const room& r) const { return to(r); }
  broadcast_operator except(const room& r) const;
  broadcast_operator except(const std::vector<room>& rs) const;
  /// Only this server's sockets (matters with a cluster adapter).
  broadcast_operator local() const;
  /// Dropped for clients that cannot take it right now.
  broadcast_operator volatile_() const;
  broadcast_operator compress(bool on) const;
  broadcast_operator timeout(std::chrono::milliseconds ms) const;

  template <typename... Args>
  void emit(std::string_view event, Args&&... values) const {
    emit_args(event, args{value(std::forward<Args>(values))...});
  }
  void emit_args(std::string_view event, args values) const;
  /// Every recipient's ack, in `ack_result::values` (the first argument of each); an error when
  /// not all came before the timeout (set one with `timeout()`).
  void emit_with_ack(std::string_view event, args values, ack_callback cb) const;

  void sockets_join(const std::vector<room>& rooms) const;
  void sockets_leave(const std::vector<room>& rooms) const;
  void disconnect_sockets(bool close = false) const;
  /// Snapshots of the matching sockets, wherever they live; `done` runs on the caller's shard.
  void fetch_sockets(std::function<void(fetch_result)> done) const;

 private:
  std::shared_ptr<namespace_> nsp_;
  broadcast_options opts_;
};

}  // namespace socketio
