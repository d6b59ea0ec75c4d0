#pragma once
/// The Socket.IO server: Node's `Server`, over an `engineio::server`.
///
/// ```cpp
/// sio::server io({.threads = 2});
/// io.on_connection([&](sio::socket& s) {
///   s.on("chat message", [&](sio::socket&, const sio::args& a) { io.emit("chat message", a[0]);
///   });
/// });
/// io.listen("0.0.0.0", 3000);
/// io.run();  // until SIGINT/SIGTERM
/// ```
///
/// `io.*` and broadcast operators may be used from any thread; a `socket&` only in its callbacks.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engineio/options.hpp"
#include "engineio/server.hpp"
#include "socketio/namespace.hpp"
#include "socketio/parent_namespace.hpp"

namespace socketio {

/// Node's `connectionStateRecovery`: a client that reconnects within
/// `max_disconnection_duration` gets its id, rooms and data back, and the events it missed.
struct recovery_options {
  std::chrono::milliseconds max_disconnection_duration{2 * 60 * 1000};
  bool skip_middlewares = true;
  /// Not in Node (unbounded there): memory kept for replayed events, per namespace; past it the
  /// oldest go, and a client that missed them reconnects as a new socket. Default 64 MiB.
  std::size_t max_stored_event_bytes = std::size_t{64} << 20;
  /// Not in Node (unbounded there): disconnected sessions kept per namespace; past it the oldest
  /// go, as if expired. Default 100,000.
  std::size_t max_persisted_sessions = 100'000;
};

struct server_options {
  /// Where clients connect: Node's `path` ("/my-path" and "/my-path/" are the same; see
  /// `engine.add_trailing_slash`).
  std::string path = "/socket.io/";
  /// Node's `serveClient`: the official client bundle at `<path>socket.io.js` (and .min.js,
  /// .esm.min.js, .msgpack.min.js, their maps), from the socket.io-client package.
  bool serve_client = true;
  /// Shards, each an event loop on its own thread; 1 gives Node's single-threaded semantics.
  unsigned threads = 1;
  /// A connection that joins no namespace in this time is closed (Node's `connectTimeout`).
  std::chrono::milliseconds connect_timeout{45000};
  /// Node's `parser`: the default one, or `msgpack` for socket.io-msgpack-parser clients.
  parser_kind parser = parser_kind::json;
  /// Node's Decoder `maxAttachments`: binary packets announcing more attachments are refused.
  std::size_t max_attachments = default_max_attachments;
  std::optional<recovery_options> connection_state_recovery{};
  /// Longest name a dynamic namespace's matcher is asked about; a longer one that names no
  /// existing namespace gets "Invalid namespace". Node has no limit. 256 bytes is far above real
  /// names and far below what makes libstdc++'s recursive std::regex_match overflow a stack.
  std::size_t max_namespace_length = 256;
  /// Namespaces one connection may join or be joining at once; past it a CONNECT gets a
  /// CONNECT_ERROR "Too many namespaces". Node has no limit.
  std::size_t max_namespaces_per_client = 100;
  /// Child namespaces all dynamic parents may have at once; past it a new name gets "Invalid
  /// namespace". Node has no limit. Each child costs an adapter (and, with Redis, its
  /// subscriptions). A child that no socket ever joined (its middlewares refused every
  /// CONNECT) is removed as its last refused socket goes, which Node never does.
  std::size_t max_dynamic_namespaces = 10'000;
  /// Node's `cleanupEmptyChildNamespaces`: a child of a dynamic namespace is also removed when
  /// its last socket leaves (with the sessions connection state recovery kept for it, as in
  /// Node), and made anew by the next CONNECT for its name. A child the application asked for
  /// with of() is never removed, so the reference stays valid.
  bool cleanup_empty_child_namespaces = false;
  /// Acks one socket may wait for (its own emit_with_ack and broadcasts); past it the oldest is
  /// dropped, an emit_with_ack's callback getting "too many pending acks". Node has no limit.
  std::size_t max_pending_acks = 1000;
  /// Node's `adapter`: makes each namespace's adapter; empty means the in-memory one.
  adapter_factory adapter{};
  /// Engine.IO options (ping, limits, CORS, ...); `engine.path` is set from `path`.
  engineio::options engine{};
};

class server : private engineio::handler {
 public:
  explicit server(server_options opts = {});
  ~server() override;
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Node's `io.adapter(factory)`: every namespace, the existing ones included, gets its
  /// adapter from `factory`. Call it before `run()`; it is how an adapter that needs this
  /// server's executors (a Redis client on shard 0) is installed.
  void adapter(adapter_factory factory);
  /// The namespace of that name, created on first use; a name that a regex parent (below)
  /// matches becomes its child, as in Node.
  namespace_& of(std::string_view name);
  /// The namespace of that name if it exists. A dynamic namespace's child may be removed later
  /// (see max_dynamic_namespaces): the pointer keeps it alive, as it keeps its sockets.
  std::shared_ptr<namespace_> find(std::string_view name);
  /// A dynamic namespace parent: any name `pattern` finds (std::regex_search, as Node's
  /// RegExp.test; anchor it with ^...$ for whole names) or `matcher` accepts becomes a
  /// namespace on first connection, with the parent's middlewares and handlers (Node's
  /// `io.of(/regex/)` and `io.of(fn)`; the matcher answers at once, on a shard thread, and may
  /// call `of()` and `find()`). Parents are asked in the order they were made.
  namespace_& of(const std::regex& pattern);
  namespace_& of(namespace_matcher matcher);
  /// The same with a matcher that answers through `next`, later if need be: the client's
  /// CONNECT waits for it (the connect timeout still runs).
  namespace_& of(async_namespace_matcher matcher);
  /// Node's `io.on("new_namespace")`: a namespace other than "/" was created, by `of()` or as a
  /// dynamic parent's child (then on the connecting client's shard).
  void on_new_namespace(std::function<void(namespace_&)> handler);

  // The main namespace "/", as in Node where io.emit() is io.of("/").emit().
  void use(middleware m) { of("/").use(std::move(m)); }
  listener_id on_connection(connection_handler h) { return of("/").on_connection(std::move(h)); }
  void off_connection(listener_id id) { of("/").off_connection(id); }
  broadcast_operator to(const room& r) { return of("/").to(r); }
  broadcast_operator in(const room& r) { return of("/").in(r); }
  broadcast_operator except(const room& r) { return of("/").except(r); }
  broadcast_operator local() { return of("/").local(); }
  broadcast_operator volatile_() { return of("/").volatile_(); }
  broadcast_operator compress(bool on) { return of("/").compress(on); }
  broadcast_operator timeout(std::chrono::milliseconds ms) { return of("/").timeout(ms); }
  template <typename... Args>
  void emit(std::string_view event, Args&&... values) {
    of("/").emit(event, std::forward<Args>(values)...);
  }
  void emit_args(std::string_view event, args values) {
    of("/").emit_args(event, std::move(values));
  }
  template <typename... Args>
  void send(Args&&... values) {
    of("/").send(std::forward<Args>(values)...);
  }
  void all_sockets(std::function<void(std::set<std::string>, std::optional<std::string>)> done) {
    of("/").all_sockets(std::move(done));
  }
  void disconnect_sockets(bool close = false) { of("/").disconnect_sockets(close); }
  void fetch_sockets(std::function<void(fetch_result)> done) {
    of("/").fetch_sockets(std::move(done));
  }
  void sockets_join(const std::vector<room>& rooms) { of("/").sockets_join(rooms); }
  void sockets_leave(const std::vector<room>& rooms) { of("/").sockets_leave(rooms); }
  void server_side_emit(std::string_view event, args values,
                        std::function<void(ack_result)> ack = {}) {
    of("/").server_side_emit(event, std::move(values), std::move(ack));
  }

  std::uint16_t listen(const std::string& host, std::uint16_t port) {
    return engine_.listen(host, port);
  }
  /// HTTPS and WSS only (engineio/tls.hpp), beside or instead of plain listeners.
  std::uint16_t listen(const std::string& host, std::uint16_t port, const eio::tls_options& tls) {
    return engine_.listen(host, port, tls);
  }
  void listen_unix(const std::string& path) { engine_.listen_unix(path); }
  std::uint16_t port() const noexcept { return engine_.port(); }
  /// See eio::server::reload_tls (run() calls it on SIGHUP).
  void reload_tls() { engine_.reload_tls(); }
  /// Embedding in the application's own Beast server, as Node's `io.attach(httpServer)`: hands
  /// over a connection and the request read from it (engineio/embedding.hpp).
  void attach(boost::asio::ip::tcp::socket socket, engineio::http_request_message req,
              std::string already_read, engineio::give_back_handler give_back) {
    engine_.attach(std::move(socket), std::move(req), std::move(already_read),
                   std::move(give_back));
  }
  void attach(boost::asio::ip::tcp::socket socket, std::string already_read,
              engineio::give_back_handler give_back) {
    engine_.attach(std::move(socket), std::move(already_read), std::move(give_back));
  }
  void start() { engine_.start(); }
  /// Blocks until SIGINT, SIGTERM or request_stop(), then closes every connection.
  void run();
  void request_stop() { engine_.request_stop(); }
  /// Every socket leaves with "server shutting down", then every connection closes.
  void stop();

  /// Plain HTTP and WebSocket beside Socket.IO on the same port (see engineio/http_route.hpp).
  void route(std::string method, std::string path, engineio::http_handler handler) {
    engine_.route(std::move(method), std::move(path), std::move(handler));
  }
  void mount(std::string prefix, engineio::http_handler handler) {
    engine_.mount(std::move(prefix), std::move(handler));
  }
  void websocket(std::string path, engineio::websocket_handler handler) {
    engine_.websocket(std::move(path), std::move(handler));
  }

  const server_options& options() const noexcept { return opts_; }
  engineio::server& engine() noexcept { return engine_; }

 private:
  friend class client;
  friend class namespace_;
  /// Gives `done`, on shard `home`, the namespace a CONNECT for `name` joins: an existing one
  /// (at once), or a child that a dynamic parent accepts (nullptr when none does, the name is
  /// too long, or `max_dynamic_namespaces` are there already). The namespace counts the socket
  /// as a member until `leave`.
  using entered = std::function<void(std::shared_ptr<namespace_>)>;
  void enter(const std::string& name, const value& auth, unsigned home, entered done);
  struct matching;
  /// The namespace `name` if it exists, counting one more member.
  std::shared_ptr<namespace_> join_existing(const std::string& name);
  namespace_& add_parent(async_namespace_matcher matcher,
                         std::shared_ptr<const std::regex> pattern);
  /// Who asks for a namespace: the application (of(): it is never removed) or a CONNECT (a
  /// child is capped by max_dynamic_namespaces and counts the socket as a member).
  enum class purpose { application, connect };
  /// The namespace `name`, a child of `parent` if given: made, announced, then published, or
  /// the one another thread published meanwhile; nullptr past max_dynamic_namespaces.
  std::shared_ptr<namespace_> create(const std::string& name, namespace_* parent, purpose why);
  std::vector<std::pair<std::shared_ptr<const std::regex>, namespace_*>> regex_parents();
  /// Runs the new_namespace handlers (outside the lock).
  void announce(namespace_& created);
  /// A socket of `nsp` is gone; `connected` if it had joined. Removes a child left empty.
  void leave(namespace_& nsp, bool connected);
  /// With the in-memory adapter, or `f`'s; create() gives it the server's when it publishes it.
  std::shared_ptr<namespace_> make_namespace(std::string name, const adapter_factory& f = {});

  void on_open(engineio::session& s) override;
  void on_message(engineio::session& s, std::string_view text) override;
  void on_binary(engineio::session& s, std::string_view bytes) override;
  void on_upgrade(engineio::session& s) override;
  void on_close(engineio::session& s, engineio::close_reason reason) override;

  server_options opts_;
  engineio::server engine_;
  void disconnect_all_sockets();

  std::atomic<bool> shutting_down_{false};
  std::mutex namespaces_mutex_;
  std::map<std::string, std::shared_ptr<namespace_>, std::less<>> namespaces_;
  struct dynamic_parent {
    std::shared_ptr<const async_namespace_matcher> matcher;  // shared: called outside the lock
    std::shared_ptr<const std::regex> pattern;               // for io.of(regex) only
    std::shared_ptr<namespace_> nsp;
  };
  std::vector<dynamic_parent> parents_;
  std::size_t dynamic_children_ = 0;
  /// Children removed from `namespaces_` whose memory is not freed yet.
  std::set<namespace_*> retiring_;
  std::vector<std::function<void(namespace_&)>> new_namespace_handlers_;
};

}  // namespace socketio
