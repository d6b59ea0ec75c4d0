#pragma once
// The engine behind `engineio::server`: shards, the acceptor, and the routing of each request to
// a handshake or to the session it names (routing lives in router.cpp).

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "engineio/detail/connection_limit.hpp"
#include "engineio/detail/http.hpp"
#include "engineio/detail/http_connection.hpp"
#include "engineio/detail/http_routes.hpp"
#include "engineio/detail/middleware_chain.hpp"
#include "engineio/detail/pending_request.hpp"
#include "engineio/detail/shard.hpp"
#include "engineio/detail/tls_certificate.hpp"
#include "engineio/embedding.hpp"
#include "engineio/handler.hpp"
#include "engineio/middleware.hpp"
#include "engineio/options.hpp"
#include "engineio/tls.hpp"

namespace engineio::detail {

class polling_transport;

class websocket_transport;

class engine {
 public:
  engine(options opts, handler& events, unsigned threads);
  ~engine();

  /// The bound port; with `tls`, the listener speaks HTTPS and WSS only.
  std::uint16_t listen(const std::string& host, std::uint16_t port, std::optional<tls_options> tls);
  void listen_unix(const std::string& path);
  /// Reads every TLS listener's files again (see tls_certificate::reload).
  void reload_tls();
  bool serves_tls() const noexcept;
  std::uint16_t port() const noexcept { return port_; }
  void start();
  void stop();
  /// A connection the application accepted (server::attach), with the request it read, if any.
  void adopt(tcp::socket socket, std::optional<request> first, std::string already_read,
             give_back_handler give_back);
  std::size_t clients_count() const noexcept { return clients_.load(); }
  /// Open TCP connections, as counted against options::max_connections.
  std::size_t connections_count() const noexcept { return connections_.open(); }
  const options& opts() const noexcept { return *opts_; }
  void on_connection_error(connection_error_listener l) {
    error_listeners_.push_back(std::move(l));
  }
  void on_initial_headers(headers_listener l) {
    initial_headers_listeners_.push_back(std::move(l));
  }
  void on_headers(headers_listener l) { headers_listeners_.push_back(std::move(l)); }
  void use(request_middleware m) { middlewares_.push_back(std::move(m)); }
  unsigned shard_count() const noexcept { return static_cast<unsigned>(shards_.size()); }
  void post(unsigned shard, std::function<void()> task);
  asio::any_io_executor executor(unsigned shard) { return shards_.at(shard)->executor(); }
  asio::io_context::executor_type shard_executor(unsigned shard) {
    return shards_.at(shard)->context().get_executor();
  }
  const std::shared_ptr<engine_liveness>& liveness() const noexcept { return liveness_; }
  bool owns(const shard& s) const noexcept {
    return s.index() < shards_.size() && shards_[s.index()].get() == &s;
  }

  /// See `engineio::server::open_session`.
  void open_session(std::shared_ptr<transport> t, request_info request, protocol_version protocol,
                    unsigned shard);

  /// Every request read by a connection comes here, on the connection's shard.
  void route(std::shared_ptr<http_connection> conn, request req);
  /// Whether the request that starts with `request_line` is the server's (under the Engine.IO
  /// path): attached connections give back the rest.
  bool owns(std::string_view request_line) const;
  /// From a request's header, its body still to come: a POST for a session tells the session
  /// (see polling_transport::body_started). Nothing for other requests.
  std::optional<streamed_body> announce_body(const request& header);
  void end_body(const streamed_body& body, bool premature);

  /// The user's routes; filled before start().
  http_routes& routes() noexcept { return routes_; }

 private:
  // router.cpp
  /// `locals`: what the middlewares attached, for a new session.
  void route_polling(pending_request pending, std::string_view transport_name,
                     const std::string& sid, std::shared_ptr<request_locals> locals);
  /// After the middlewares: `extra` are their headers.
  void route_engine(std::shared_ptr<http_connection> conn, request req, bool upgrade,
                    http::fields extra, std::shared_ptr<request_locals> locals);
  /// `preflight`: CORS headers of a preflight that goes on; the middlewares' come over them.
  void run_middlewares(const std::shared_ptr<http_connection>& conn, request req, bool upgrade,
                       http::fields preflight);
  void route_upgrade(std::shared_ptr<http_connection> conn, request req,
                     std::string_view transport_name, const std::string& sid, http::fields extra,
                     std::shared_ptr<request_locals> locals);
  void on_session_request(shard& owner, pending_request pending, const std::string& sid);
  void on_session_upgrade(shard& owner, counted_stream counted, request req, const std::string& sid,
                          const http::fields& extra);
  void handshake_polling(pending_request pending, std::shared_ptr<request_locals> locals);
  void handshake_websocket(std::shared_ptr<http_connection> conn, request req, http::fields extra,
                           std::shared_ptr<request_locals> locals);
  std::optional<protocol_version> protocol_of(const request& req) const;
  bool enabled(transport_kind kind) const;
  /// Tells the connection_error listeners that `req` was refused with `code`.
  void report_refusal(const request& req, const peer_info& peer, request_error code,
                      string_pairs context) const;
  void refuse(pending_request& pending, request_error code, string_pairs context,
              std::string_view message = {}) const;
  /// What the initial_headers (on a handshake) and headers listeners add to the answer to `req`,
  /// into `out`, in place of the headers of the same names.
  void add_listener_headers(const request& req, const peer_info& peer, bool handshake,
                            http::fields& out) const;
  /// The allow_request hook sees `info`, the request as the session will keep it.
  void check_allowed(const request_info& info, shard& home,
                     std::function<void(std::string message, bool success)> then);
  /// Runs `f` on session `sid`'s shard with its polling transport, if it has one then.
  void with_polling(const std::string& sid, std::function<void(polling_transport&)> f);
  /// A new session's id on `home`: the application's, when it gives a usable one, else ours.
  std::string new_sid(const shard& home, const request_info& info);
  /// The shard owning session `sid`, or nullopt when no shard can.
  std::optional<unsigned> shard_of(const std::string& sid);
  void release_sid(const std::string& sid);
  std::shared_ptr<session> create_session(shard& home, std::string sid, protocol_version protocol,
                                          request_info info);

  void accept_raw_websocket(const websocket_handler& endpoint,
                            const std::shared_ptr<http_connection>& conn, request req);

  // One listening socket (TCP or Unix), accepting on the first shard.
  struct listener {
    explicit listener(asio::io_context& ctx) : acceptor(ctx), backoff(ctx) {}
    asio::basic_socket_acceptor<stream_protocol> acceptor;
    asio::steady_timer backoff;            // out of fds or memory: accept again later
    std::unique_ptr<tls_certificate> tls;  // a TLS listener's certificate
    bool ip = true;                        // TCP, not a Unix domain socket
    bool accepting = false;                // an accept or its back-off is pending
    bool backoff_logged = false;
  };
  listener& add_listener(const stream_protocol::endpoint& endpoint);
  void resume_accepting();
  void do_accept(listener& l);
  void on_accept(listener& l, shard& target, beast::error_code ec, stream_socket socket);

  std::shared_ptr<const options> opts_;
  handler& events_;
  std::vector<connection_error_listener> error_listeners_;
  std::vector<headers_listener> initial_headers_listeners_, headers_listeners_;
  std::vector<request_middleware> middlewares_;
  // Cleared when the engine goes: what answers later (middlewares, allow_request) checks it.
  std::shared_ptr<engine_liveness> liveness_ = std::make_shared<engine_liveness>();
  http_routes routes_;
  // Before shards_: the slots held by what the shards own are released into it as they go.
  connection_limit connections_;
  std::vector<std::unique_ptr<shard>> shards_;
  std::vector<std::unique_ptr<listener>> listeners_;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> clients_{0};
  /// Sessions whose id came from options::generate_id, with their shard.
  std::atomic<std::uint64_t> posts_{0};  // numbers announced POSTs
  std::mutex custom_sids_mutex_;
  std::unordered_map<std::string, unsigned> custom_sids_;
  std::atomic<unsigned> next_shard_{0};
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<bool> closing_{false};  // stop() began: attach() closes what it is handed
};

}  // namespace engineio::detail
