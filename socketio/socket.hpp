#pragma once
/// A client's connection to one namespace: Node's server-side `Socket`.
///
/// ```cpp
/// io.on_connection([](sio::socket& s) {
///   s.join("lobby");
///   s.on("say", [](sio::socket& s, const sio::args& a, sio::ack ack) {
///     s.to("lobby").emit("said", a[0]);  // everyone in the room but the sender
///     ack("ok");
///   });
///   s.on_disconnect([](sio::socket&, sio::disconnect_reason r) { /* ... */ });
/// });
/// ```
///
/// A `socket&` is valid inside the callbacks it is passed to, on its shard's thread. Its
/// handlers run in packet order, never two at once. A socket kept longer (a `shared_ptr` from
/// `shared_from_this()`) may still be used on its shard: once its connection is gone, what it
/// would send is dropped, as in Node.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "socketio/adapter.hpp"
#include "socketio/error.hpp"
#include "socketio/handshake.hpp"
#include "socketio/packet.hpp"
#include "socketio/value.hpp"

namespace engineio {
class session;
}

namespace sio_test {
struct internals;
}

namespace socketio {

class ack;
class adapter;
class broadcast_operator;
class client;
class namespace_;
class server;
class socket;

namespace detail {
struct restored_session;  // socketio/detail/session_store.hpp

/// The key to a socket's internal members (the passkey idiom): only the library's own classes
/// can make one, so those members, public for them, are not part of the API.
class internal_key {
  friend class socketio::ack;
  friend class socketio::adapter;
  friend class socketio::broadcast_operator;
  friend class socketio::client;
  friend class socketio::server;
  friend class socketio::socket;
  friend struct ::sio_test::internals;
  internal_key() = default;
};
}  // namespace detail

/// The reply function of an event the client sent with an ack callback. Calling it more than
/// once sends nothing more; calling it when the client asked for no ack does nothing. It may be
/// called from any thread: the reply is sent from the socket's shard.
class ack {
 public:
  ack() = default;
  ack(std::weak_ptr<socket> owner, std::uint64_t id);

  /// Whether the client is waiting for this ack.
  explicit operator bool() const noexcept { return state_ != nullptr; }

  template <typename... Args>
  void operator()(Args&&... values) const {
    send(args{value(std::forward<Args>(values))...});
  }
  void send(args values) const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

using ack_callback = std::function<void(ack_result)>;
using event_handler = std::function<void(socket&, const args&, ack)>;
using any_handler = std::function<void(socket&, const std::string& event, const args&)>;
/// Names one listener for its removal: C++ functions cannot be compared as Node's can.
using listener_id = std::uint64_t;
/// Per-socket middleware on incoming events; `next(error)` refuses the event.
using event_next = std::function<void(std::optional<std::string> error)>;
using event_middleware = std::function<void(socket&, const std::string& event, args&, event_next)>;

class socket : public std::enable_shared_from_this<socket> {
 public:
  /// `auth` is the CONNECT payload; the rest of the handshake is read from the client's request.
  socket(namespace_& nsp, client& owner, std::string id, value auth);
  /// A socket resuming `previous` (connection state recovery): same id, rooms and data; the
  /// missed events are sent at once.
  socket(namespace_& nsp, client& owner, value auth, detail::restored_session previous);
  ~socket();
  socket(const socket&) = delete;
  socket& operator=(const socket&) = delete;

  const std::string& id() const noexcept { return id_; }
  const struct handshake& handshake() const;
  namespace_& nsp() noexcept { return *nsp_; }
  /// Free for the application: Node's `socket.data`.
  value& data() noexcept { return data_; }
  bool connected() const noexcept { return connected_; }
  bool disconnected() const noexcept { return !connected_; }
  /// The connection resumed an earlier session (connection state recovery).
  bool recovered() const noexcept { return recovered_; }
  /// Rooms of this socket, its own id included.
  const std::set<room>& rooms() const noexcept { return rooms_; }
  /// The same, copied; from any thread while the socket is alive.
  std::set<room> rooms_copy() const {
    std::lock_guard lock(rooms_mutex_);
    return rooms_;
  }
  /// A handle usable from any thread and after this callback returns (a background job, a
  /// timer): it emits, joins, leaves and disconnects through the socket's own shard.
  remote_socket ref() const;
  /// "polling" or "websocket": the transport the connection uses now.
  std::string_view transport() const noexcept;
  /// Node's `socket.conn`: the Engine.IO connection (its listeners, transport, request), on this
  /// socket's shard; null once the connection is gone. Its listeners go when it closes; one
  /// that captures a socket must not outlive that socket (check `connected()`).
  std::shared_ptr<engineio::session> conn() const noexcept;

  /// In a middleware, the rooms are joined once the socket connects (a refused one joins none).
  void join(const room& r);
  void join(const std::vector<room>& rs);
  void leave(const room& r);

  /// Sends an event to this client.
  template <typename... Args>
  void emit(std::string_view event, Args&&... values) {
    emit_args(event, args{value(std::forward<Args>(values))...});
  }
  void emit_args(std::string_view event, args values);
  /// Node's `socket.send(...)` and `socket.write(...)`: a "message" event.
  template <typename... Args>
  void send(Args&&... values) {
    emit("message", std::forward<Args>(values)...);
  }
  /// Flags for the next emit only, as Node's `socket.volatile.emit(...)` and
  /// `socket.compress(false).emit(...)`: a volatile event is dropped when the transport is busy;
  /// an uncompressed one skips per-message deflate and HTTP compression.
  socket& volatile_() noexcept {
    next_emit_.volatile_ = true;
    return *this;
  }
  socket& compress(bool on) noexcept {
    next_emit_.compress = on;
    return *this;
  }
  /// Sends an event and waits for the client's ack; with `timeout`, `cb` gets an error if the
  /// ack is late ("operation has timed out"), disconnected or not, as in Node. Past
  /// `max_pending_acks`, the oldest ack is dropped and its `cb` gets "too many pending acks".
  void emit_with_ack(std::string_view event, args values, ack_callback cb,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  /// Broadcasts from this socket (it is excluded): `socket.to(room)`, `socket.broadcast`.
  broadcast_operator to(const room& r);
  broadcast_operator in(const room& r);
  broadcast_operator except(const room& r);
  broadcast_operator broadcast();

  /// `handler` is invocable as (socket&, const args&) or (socket&, const args&, ack). The id
  /// removes it with off(event, id) (Node's `off(event, fn)`).
  template <typename F>
  listener_id on(const std::string& event, F&& handler) {
    return add_handler(event, wrap(std::forward<F>(handler)), false, false);
  }
  template <typename F>
  listener_id once(const std::string& event, F&& handler) {
    return add_handler(event, wrap(std::forward<F>(handler)), true, false);
  }
  /// Node's `prependListener` and `prependOnceListener`: run before the others of `event`.
  template <typename F>
  listener_id prepend(const std::string& event, F&& handler) {
    return add_handler(event, wrap(std::forward<F>(handler)), false, true);
  }
  template <typename F>
  listener_id prepend_once(const std::string& event, F&& handler) {
    return add_handler(event, wrap(std::forward<F>(handler)), true, true);
  }
  /// Removes one handler of `event`, or all of them (Node's `removeAllListeners(event)`).
  void off(const std::string& event, listener_id id);
  void off(const std::string& event);
  /// Node's `removeAllListeners()`: every event handler, and the error, disconnecting and
  /// disconnect listeners (the catch-all ones stay, as in Node).
  void remove_all_listeners();
  /// Node's `listenerCount(event)`.
  std::size_t listener_count(const std::string& event) const;
  /// Node's `listeners(event)`: the ids of its handlers, in the order they run.
  std::vector<listener_id> listeners(const std::string& event) const;
  /// Node's `eventNames()`: the events that have handlers, sorted.
  std::vector<std::string> event_names() const;

  listener_id on_any(any_handler h) { return add_any(rare().any, std::move(h), false); }
  listener_id prepend_any(any_handler h) { return add_any(rare().any, std::move(h), true); }
  /// Removes one catch-all listener, or all of them.
  void off_any(listener_id id) { remove_any(&rare_listeners::any, id); }
  void off_any() { remove_any(&rare_listeners::any, std::nullopt); }
  listener_id on_any_outgoing(any_handler h) {
    return add_any(rare().any_outgoing, std::move(h), false);
  }
  listener_id prepend_any_outgoing(any_handler h) {
    return add_any(rare().any_outgoing, std::move(h), true);
  }
  void off_any_outgoing(listener_id id) { remove_any(&rare_listeners::any_outgoing, id); }
  void off_any_outgoing() { remove_any(&rare_listeners::any_outgoing, std::nullopt); }
  /// Node's `listenersAny().length` and `listenersAnyOutgoing().length`.
  std::size_t any_listener_count() const noexcept { return rare_ ? rare_->any.size() : 0; }
  std::size_t any_outgoing_listener_count() const noexcept {
    return rare_ ? rare_->any_outgoing.size() : 0;
  }
  void use(event_middleware m) { rare().middlewares.push_back(std::move(m)); }
  /// Node's `socket.on("error")`: an event middleware's refusal, or why the connection's last
  /// packet could not be decoded (then the connection closes).
  void on_error(std::function<void(socket&, const std::string&)> h) {
    rare().error.push_back(std::move(h));
  }
  void on_disconnecting(std::function<void(socket&, disconnect_reason)> h) {
    rare().disconnecting.push_back(std::move(h));
  }
  void on_disconnect(std::function<void(socket&, disconnect_reason)> h) {
    disconnect_.push_back(std::move(h));
  }
  /// The connection moved from polling to WebSocket (Node's `socket.conn.on("upgrade")`).
  void on_upgrade(std::function<void(socket&)> h) { rare().upgrade.push_back(std::move(h)); }

  /// Leaves the namespace (the client gets a DISCONNECT); with `close`, ends the whole
  /// connection.
  void disconnect(bool close = false);

  // The library's own (the client, the namespace, the adapter): see detail::internal_key.
  /// Joined: the socket joins its rooms and the client gets the CONNECT answer.
  void complete_connect(detail::internal_key);
  void receive(packet p, detail::internal_key);
  /// The socket is gone for `reason`: its disconnect listeners run and it leaves its rooms.
  void finish(disconnect_reason reason, detail::internal_key);
  /// The connection moved to WebSocket: the upgrade listeners run.
  void notify_upgrade(detail::internal_key);
  /// Hands `message` to the error listeners (a refused event, or a packet the connection could
  /// not decode, as Node's `socket._onerror`).
  void report_error(const std::string& message, detail::internal_key);
  struct emit_flags {
    bool volatile_ = false;
    bool compress = true;
  };
  void send_packet(const packet& p, emit_flags flags, detail::internal_key);
  /// Tells the outgoing catch-all listeners about an event sent to this socket (broadcasts too,
  /// as Node's adapter does).
  void notify_outgoing(const packet& p, detail::internal_key);
  /// Registers a reply expected for a packet that a broadcast with acks sends to this socket, and
  /// gives the ack id to send it with: `cb` gets the reply only. It is forgotten after `timeout`,
  /// on disconnection, or past `max_pending_acks`; the broadcast reports the missing reply.
  std::uint64_t expect_ack(ack_callback cb, std::optional<std::chrono::milliseconds> timeout,
                           detail::internal_key);
  /// The connection (Node's `socket.client`); only while connected (a client disconnects its
  /// sockets before it goes).
  client& owner() noexcept;
  unsigned shard() const noexcept { return shard_; }
  /// Acks this socket waits for from its client.
  std::size_t pending_acks() const noexcept { return acks_.size(); }

 private:
  struct handler_entry {
    listener_id id;
    event_handler fn;
    bool once;
  };
  struct any_entry {
    listener_id id;
    any_handler fn;
    void operator()(socket& s, const std::string& event, const args& values) const {
      fn(s, event, values);
    }
  };

  template <typename F>
  static event_handler wrap(F&& f) {
    if constexpr (std::is_invocable_v<F&, socket&, const args&, ack>) {
      return [f = std::forward<F>(f)](socket& s, const args& a, ack k) mutable {
        f(s, a, std::move(k));
      };
    } else {
      static_assert(std::is_invocable_v<F&, socket&, const args&>,
                    "handler must be invocable as (socket&, const args&[, sio::ack])");
      return [f = std::forward<F>(f)](socket& s, const args& a, ack) mutable { f(s, a); };
    }
  }

  listener_id add_handler(const std::string& event, event_handler h, bool once, bool prepend);
  listener_id add_any(std::vector<any_entry>& list, any_handler h, bool prepend);
  struct rare_listeners;
  /// Removes listener `id` of `list`, or all of them without an id.
  void remove_any(std::vector<any_entry> rare_listeners::*list, std::optional<listener_id> id);
  void on_event(packet p);
  void on_ack(packet p);
  void dispatch(const std::string& event, const args& values, const ack& reply);
  void run_middlewares(std::size_t index, std::string event, args values, ack reply);

  /// Shared: a dynamic namespace's child lives while it has sockets.
  std::shared_ptr<namespace_> nsp_;
  /// Owns this socket, but the application may keep the socket longer.
  std::weak_ptr<client> client_;
  unsigned shard_;
  std::string id_;
  value auth_;
  std::int64_t issued_;  // ms since the epoch
  /// Built on first use from the engine's request, which holds the same headers: most sockets
  /// never look at their handshake, and an idle server should not keep every header twice.
  mutable std::unique_ptr<struct handshake> handshake_;
  value data_ = object{};  // Node's socket.data starts as {}
  std::set<room> rooms_;
  // Changes to rooms_ take it, and so do lookups from other threads (adapter::socket_rooms);
  // reads on the socket's own shard do not need it.
  mutable std::mutex rooms_mutex_;
  std::string pid_;  // private id for connection state recovery, empty when off
  bool connected_ = false;
  bool closed_ = false;  // was connected, and is no more
  bool recovered_ = false;
  std::vector<value> missed_;  // events to replay once connected

  std::unordered_map<std::string, std::vector<handler_entry>> handlers_;
  listener_id next_listener_id_ = 1;
  std::vector<std::function<void(socket&, disconnect_reason)>> disconnect_;
  /// Listeners most sockets never get: a pointer until the first one comes.
  struct rare_listeners {
    std::vector<any_entry> any;
    std::vector<any_entry> any_outgoing;
    std::vector<event_middleware> middlewares;
    std::vector<std::function<void(socket&, const std::string&)>> error;
    std::vector<std::function<void(socket&, disconnect_reason)>> disconnecting;
    std::vector<std::function<void(socket&)>> upgrade;
  };
  std::unique_ptr<rare_listeners> rare_;
  rare_listeners& rare() {
    if (!rare_) rare_ = std::make_unique<rare_listeners>();
    return *rare_;
  }
  /// Calls every listener in `list` with this socket and `values`; what one throws is logged.
  template <typename Listener, typename... Values>
  void notify(const std::vector<Listener>& list, std::string_view what, const Values&... values);
  /// The same for a list of `rare_`, if it exists.
  template <typename Listener, typename... Values>
  void notify_rare(std::vector<Listener> rare_listeners::*list, std::string_view what,
                   const Values&... values);

  struct pending_ack;
  /// Keeps `pending` under `id` until the reply, the timeout, or the socket's disconnection.
  void add_ack(std::uint64_t id, const std::shared_ptr<pending_ack>& pending,
               std::optional<std::chrono::milliseconds> timeout);
  /// By id; ids only grow, so the first is the oldest.
  std::map<std::uint64_t, std::shared_ptr<pending_ack>> acks_;
  /// Counted per socket: Node counts per namespace, which tells a client how many acks the
  /// server asked of the others. From a random start, so that a late reply to the previous
  /// connection of the same client cannot complete this one's request.
  static std::uint64_t first_ack_id();
  std::uint64_t next_ack_id_ = first_ack_id();
  emit_flags next_emit_;
};

}  // namespace socketio
