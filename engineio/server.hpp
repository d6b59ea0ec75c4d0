#pragma once
/// An Engine.IO server: HTTP long-polling and WebSocket on one port, speaking the protocol of
/// Node's engine.io 6.x (v4, and v3 with `allow_eio3`).
///
/// ```cpp
/// struct echo : eio::handler {
///   void on_open(eio::session&) override {}
///   void on_message(eio::session& s, std::string_view text) override { s.send_text(text); }
///   void on_binary(eio::session& s, std::string_view bytes) override { s.send_binary(bytes); }
///   void on_close(eio::session&, eio::close_reason) override {}
/// };
/// echo events;
/// eio::server server({.ping_interval = 300ms}, events);
/// server.listen("127.0.0.1", 3000);
/// server.run();  // until SIGINT or SIGTERM
/// ```
///
/// Threading: `threads` shards, each an event loop on its own thread that owns the sessions it
/// accepted. Handler calls for one session run on that session's shard, one at a time.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engineio/embedding.hpp"
#include "engineio/handler.hpp"
#include "engineio/http_route.hpp"
#include "engineio/middleware.hpp"
#include "engineio/options.hpp"
#include "engineio/session.hpp"
#include "engineio/tls.hpp"
#include "engineio/websocket_endpoint.hpp"

namespace engineio {

namespace detail {
class engine;
struct engine_liveness;
}  // namespace detail

/// Runs tasks on one shard for as long as its server lives; copyable, usable from any thread.
class shard_handle {
 public:
  /// Runs `task` now when called on the shard, else posts it there; once the server is gone,
  /// drops it.
  void dispatch(std::function<void()> task) const;

 private:
  friend class server;
  shard_handle(std::shared_ptr<detail::engine_liveness> alive,
               boost::asio::io_context::executor_type executor)
      : alive_(std::move(alive)), executor_(std::move(executor)) {}

  std::shared_ptr<detail::engine_liveness> alive_;
  boost::asio::io_context::executor_type executor_;
};

class server {
 public:
  server(options opts, handler& events, unsigned threads = 1);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens on an IPv4 or IPv6 address ("::" is dual stack) and returns the bound
  /// port (port 0 picks a free one); throws boost::system::system_error when the address is
  /// taken. Each call adds a listener, all before start(); every listener serves the same
  /// sessions.
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  /// The same for HTTPS and WSS only (engineio/tls.hpp); plain and TLS listeners may serve side
  /// by side. Throws std::runtime_error, naming the file, when the certificate or key cannot be
  /// loaded.
  std::uint16_t listen(const std::string& host, std::uint16_t port, const tls_options& tls);
  /// Listens on a Unix domain socket at `path` (the fast path behind a proxy on the same host,
  /// e.g. nginx's `proxy_pass http://unix:/path:`). A socket file already there (left by an
  /// earlier run) is replaced; the file's permissions follow the process umask. Requests on it
  /// have no remote address, as in Node.
  void listen_unix(const std::string& path);
  /// The port of the first TCP listener (0 without one).
  std::uint16_t port() const noexcept;
  /// Reads the certificate and key files of every TLS listener again: new connections get the
  /// new certificate, open ones keep theirs. Callable from any thread; `run()` calls it on
  /// SIGHUP. Throws std::runtime_error when a file cannot be loaded, and the listener keeps
  /// serving the certificate it had.
  void reload_tls();

  /// Embedding (engineio/embedding.hpp): answers `req`, which the application read from
  /// `socket` (`already_read`: the bytes its buffer holds past the request), then keeps reading
  /// the connection until a request is not the server's: the connection then goes to
  /// `give_back`. Callable from any thread, before or after start(); a connection handed over
  /// once stop() began is closed. Attached connections count against max_connections, and one
  /// over the limit is closed at once.
  void attach(boost::asio::ip::tcp::socket socket, http_request_message req,
              std::string already_read, give_back_handler give_back);
  /// The same for a connection from which the application read no request (`already_read`
  /// may hold the start of one).
  void attach(boost::asio::ip::tcp::socket socket, std::string already_read,
              give_back_handler give_back);

  /// Answers `method` ("GET", "POST", ..., or "*") requests for exactly `path`, before the
  /// Engine.IO path is looked at. GET routes answer HEAD too. Register before `start()`.
  void route(std::string method, std::string path, http_handler handler);
  /// Answers every request under `prefix` that no route or the Engine.IO path took; the
  /// handler sees `http_request::path` relative to `prefix`. Register before `start()`.
  void mount(std::string prefix, http_handler handler);
  /// A plain WebSocket endpoint at exactly `path`. Register before `start()`.
  void websocket(std::string path, websocket_handler handler);

  /// Node's `engine.on("connection_error")`: `listener` hears of every request refused before it
  /// reached a session, on the shard that refused it. Register before `start()`.
  void on_connection_error(connection_error_listener listener);

  /// Node's `engine.use(middleware)`: see engineio/middleware.hpp. Register before `start()`.
  void use(request_middleware middleware);

  /// Node's `engine.on("initial_headers")` and `engine.on("headers")`: `listener` may add
  /// headers to the answer of a handshake (initial_headers), or of every polling request and
  /// WebSocket upgrade that reaches a session (headers), replacing the server's own headers of
  /// those names; on the request's shard. A header Node's setHeader would refuse (a CR or LF in
  /// its value) is dropped with a warning. Register before `start()`.
  void on_initial_headers(headers_listener listener);
  void on_headers(headers_listener listener);

  /// Starts the shard threads and returns.
  void start();
  /// Starts if needed and blocks until SIGINT, SIGTERM or `request_stop()`, then calls
  /// `before_stop` (if any) and stops. With TLS listeners, SIGHUP reloads their certificates
  /// (reload_tls), and a failure is logged.
  void run(const std::function<void()>& before_stop = {});
  /// Makes `run()` return; callable from any thread, handlers included.
  void request_stop();
  /// Closes every session and joins the shard threads. Not from a handler.
  void stop();

  /// Open sessions across all shards.
  std::size_t clients_count() const noexcept;
  /// The Engine.IO path as served: `options::path` normalised as `add_trailing_slash` says.
  const std::string& path() const noexcept;

  unsigned shard_count() const noexcept;
  /// Runs `task` on the thread of shard `shard`, later.
  void post(unsigned shard, std::function<void()> task);
  /// The event loop of shard `shard`, for timers of the layers above.
  boost::asio::any_io_executor executor(unsigned shard);
  /// The shard whose thread is calling; nullopt on threads that are not this server's.
  std::optional<unsigned> current_shard() const noexcept;
  /// A way back to shard `shard` that user code may keep and call from any thread, even after
  /// the server is gone (a hook's answer that comes late).
  shard_handle handle(unsigned shard);

  /// Opens a session over a transport of the caller's own (an in-process client, a test double)
  /// on shard `shard`, later, as if `request` had been a handshake: the handler hears `on_open`,
  /// and the session counts and closes like any other.
  void open_session(std::shared_ptr<transport> t, request_info request, protocol_version protocol,
                    unsigned shard = 0);

 private:
  std::unique_ptr<detail::engine> engine_;
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stop_flag_ = false;
};

/// The event loop of the shard running the caller: for timers in handlers and hooks (what
/// setTimeout is to Node). Only valid on a server's shard thread.
boost::asio::any_io_executor this_shard_executor();

}  // namespace engineio

namespace eio = engineio;
