#include "engineio/detail/engine.hpp"

#include <boost/asio/post.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <thread>

#include "engineio/detail/cookie.hpp"
#include "engineio/detail/cors.hpp"
#include "engineio/detail/socket_in_transit.hpp"
#include "engineio/log.hpp"

namespace engineio::detail {

using namespace std::chrono_literals;

namespace {

// options::max_connections, with 0 read as the fd limit less what the application may need.
std::size_t connection_cap(std::size_t configured) {
  if (configured != 0) return configured;
  constexpr rlim_t reserve = 128;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return std::numeric_limits<std::size_t>::max();
  return limit.rlim_cur > 2 * reserve ? static_cast<std::size_t>(limit.rlim_cur - reserve)
                                      : static_cast<std::size_t>(limit.rlim_cur / 2);
}

// Accept errors that say the process or the system is out of a resource: the pending connection
// stays in the backlog, so accepting again at once would fail again at once.
bool out_of_resources(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system;
}

// Node's path handling: one trailing slash, unless add_trailing_slash is off.
options with_normal_path(options opts) {
  while (!opts.path.empty() && opts.path.back() == '/') opts.path.pop_back();
  if (opts.add_trailing_slash || opts.path.empty()) opts.path += '/';
  return opts;
}

// Node's cookie package refuses a bad cookie option at the first handshake; here the server
// does not start with one.
options checked(options opts) {
  if (opts.cookie) check_cookie(*opts.cookie);
  auto within = [](int value, int lowest, int highest) {
    return value >= lowest && value <= highest;
  };
  if (opts.http_compression && !within(opts.http_compression->level, -1, 9))
    throw std::invalid_argument("http_compression level must be -1..9");
  if (const auto& deflate = opts.per_message_deflate) {
    if (!within(deflate->level, 0, 9))
      throw std::invalid_argument("per_message_deflate level must be 0..9");
    if (!within(deflate->mem_level, 1, 9))
      throw std::invalid_argument("per_message_deflate mem_level must be 1..9");
    if (!within(deflate->server_max_window_bits, 8, 15) ||
        !within(deflate->client_max_window_bits, 8, 15))
      throw std::invalid_argument("per_message_deflate window bits must be 8..15");
  }
  return with_normal_path(std::move(opts));
}

}  // namespace

engine::engine(options opts, handler& events, unsigned threads)
    : opts_(std::make_shared<const options>(checked(std::move(opts)))),
      events_(events),
      connections_(connection_cap(opts_->max_connections), [this] {
        asio::post(shards_.front()->context(), [this] { resume_accepting(); });
      }) {
  for (unsigned i = 0; i < std::max(threads, 1u); ++i) {
    shards_.push_back(std::make_unique<shard>(i));
  }
  if (opts_->cors_for_request) middlewares_.push_back(cors_middleware(opts_->cors_for_request));
}

engine::~engine() {
  {
    std::lock_guard lock(liveness_->mutex);
    liveness_->alive = false;
  }
  stop();
}

std::uint16_t engine::listen(const std::string& host, std::uint16_t port,
                             std::optional<tls_options> tls) {
  if (started_) throw std::logic_error("listen after start()");
  // The certificate first: a listener that cannot serve it does not bind.
  auto certificate = tls ? std::make_unique<tls_certificate>(std::move(*tls)) : nullptr;
  auto& l =
      add_listener(stream_protocol::endpoint(tcp::endpoint{asio::ip::make_address(host), port}));
  l.tls = std::move(certificate);
  auto bound = ip_endpoint(l.acceptor.local_endpoint())->port();
  if (port_ == 0) port_ = bound;
  return bound;
}

bool engine::serves_tls() const noexcept {
  return std::any_of(listeners_.begin(), listeners_.end(),
                     [](const auto& l) { return l->tls != nullptr; });
}

// All or nothing: every listener's files load before any listener changes.
void engine::reload_tls() {
  std::vector<std::shared_ptr<asio::ssl::context>> fresh;
  for (auto& l : listeners_) {
    if (l->tls) fresh.push_back(l->tls->load());
  }
  auto next = fresh.begin();
  for (auto& l : listeners_) {
    if (l->tls) l->tls->use(std::move(*next++));
  }
}

void engine::listen_unix(const std::string& path) {
  if (started_) throw std::logic_error("listen after start()");
  try {
    asio::local::stream_protocol::endpoint endpoint(path);  // throws when too long
    // A socket file left by an earlier run (nobody accepts on it) would make bind fail; a live
    // one, or anything that is not a socket, stays and bind reports it.
    struct stat existing {};
    if (::lstat(path.c_str(), &existing) == 0 && S_ISSOCK(existing.st_mode)) {
      asio::local::stream_protocol::socket probe(shards_.front()->context());
      beast::error_code ec;
      probe.connect(endpoint, ec);
      if (ec == asio::error::connection_refused) ::unlink(path.c_str());
    }
    add_listener(stream_protocol::endpoint(endpoint));
  } catch (const boost::system::system_error& e) {
    throw boost::system::system_error(e.code(), "listen_unix " + path);
  }
}

engine::listener& engine::add_listener(const stream_protocol::endpoint& endpoint) {
  if (started_) throw std::logic_error("listen after start()");
  auto& ctx = shards_.front()->context();
  auto l = std::make_unique<listener>(ctx);
  l->acceptor.open(endpoint.protocol());
  l->ip = endpoint.protocol().family() != AF_UNIX;
  if (l->ip) l->acceptor.set_option(asio::socket_base::reuse_address(true));
  l->acceptor.bind(endpoint);
  l->acceptor.listen(asio::socket_base::max_listen_connections);
  listeners_.push_back(std::move(l));
  return *listeners_.back();
}

void engine::start() {
  if (started_) return;
  started_ = true;
  if (!listeners_.empty()) asio::post(shards_.front()->context(), [this] { resume_accepting(); });
  for (auto& s : shards_) s->start();
}

// On the first shard: every listener that is not accepting (not started yet, or paused at
// max_connections) accepts again.
void engine::resume_accepting() {
  for (auto& l : listeners_) {
    if (!l->accepting) do_accept(*l);
  }
}

// Connections are dealt round-robin to the shards, which keep them for life. At max_connections
// a listener pauses, and the connection closing that makes room resumes it.
void engine::do_accept(listener& l) {
  l.accepting = l.acceptor.is_open() && !connections_.pause_if_full();
  if (!l.accepting) return;
  auto& target = *shards_[next_shard_++ % shards_.size()];
  l.acceptor.async_accept(target.context(),
                          [this, &l, &target](beast::error_code ec, stream_socket socket) {
                            on_accept(l, target, ec, std::move(socket));
                          });
}

void engine::on_accept(listener& l, shard& target, beast::error_code ec, stream_socket socket) {
  if (ec == asio::error::operation_aborted || !l.acceptor.is_open()) {
    l.accepting = false;
    return;
  }
  if (out_of_resources(ec)) {
    // Retrying at once would spin: wait for fds or memory to be freed.
    if (!l.backoff_logged) log_warning("accept failed ({}); retrying every 100 ms", ec.message());
    l.backoff_logged = true;
    l.backoff.expires_after(100ms);
    l.backoff.async_wait([this, &l](beast::error_code wait_ec) {
      if (wait_ec) {
        l.accepting = false;
        return;
      }
      do_accept(l);
    });
    return;
  }
  if (!ec) {
    l.backoff_logged = false;
    if (l.ip) socket.set_option(tcp::no_delay(true), ec);
    // Each listener's accept was started below the limit: together they may overshoot it.
    if (auto slot = connections_.try_acquire()) {
      try {  // out of memory for a TLS session: this connection closes, accepting goes on
        auto stream = l.tls ? connection_stream(std::move(socket), *l.tls->current())
                            : connection_stream(std::move(socket));
        std::make_shared<http_connection>(std::move(stream), *this, target, std::move(*slot))
            ->start();
      } catch (const std::bad_alloc&) {
        log_warning("out of memory for a new connection; it is closed");
      }
    }
  }
  do_accept(l);
}

// Embedding: the application's socket moves to a shard, dealt round-robin like accepted ones.
void engine::adopt(tcp::socket socket, std::optional<request> first, std::string already_read,
                   give_back_handler give_back) {
  if (closing_) return;  // the socket closes
  auto slot = connections_.try_acquire();
  if (!slot) return;  // closed, as an acceptor at the limit would leave it unanswered
  give_back_target back{socket.get_executor(), std::move(give_back)};
  socket_in_transit moving(socket);
  if (!moving.valid()) return;
  auto& target = *shards_[next_shard_++ % shards_.size()];
  asio::post(target.context(), [this, &target, moving = std::move(moving), back = std::move(back),
                                slot = std::move(*slot), first = std::move(first),
                                rest = std::move(already_read)]() mutable {
    if (closing_) return;
    auto socket = moving.land(target.context().get_executor());
    if (!socket) return;
    beast::error_code ec;
    socket->set_option(tcp::no_delay(true), ec);  // attached sockets are TCP
    auto conn = std::make_shared<http_connection>(connection_stream(std::move(*socket)), *this,
                                                  target, std::move(slot));
    conn->give_back_to(std::move(back));
    conn->start_with(std::move(first), std::move(rest));
  });
}

void engine::post(unsigned shard, std::function<void()> task) {
  asio::post(shards_.at(shard)->context(), std::move(task));
}

void engine::stop() {
  closing_ = true;
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    connections_.stop();
    asio::post(shards_.front()->context(), [this] {
      beast::error_code ec;
      for (auto& l : listeners_) {
        l->acceptor.close(ec);
        l->backoff.cancel();
      }
    });
    // Node's engine.close(): every session is closed; give the close packets a moment to leave.
    for (auto& s : shards_) {
      asio::post(s->context(), [&owner = *s] {
        auto sessions = owner.sessions();
        for (auto& [id, session] : sessions) session->close(/*discard=*/true);
        owner.close_peers();
      });
    }
    for (int i = 0; i < 50 && clients_.load() > 0; ++i) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(20ms);
  }
  for (auto& s : shards_) s->stop_and_join();
}

}  // namespace engineio::detail
