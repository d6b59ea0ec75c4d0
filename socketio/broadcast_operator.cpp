#include "socketio/broadcast_operator.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mutex>

#include "engineio/log.hpp"
#include "socketio/client.hpp"
#include "socketio/detail/session_store.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"

namespace socketio {
namespace {

packet event_packet(const namespace_& nsp, std::string_view event, args values) {
  values.insert(values.begin(), value(event));
  return packet{packet_type::event, nsp.name(), std::nullopt, value(array(std::move(values)))};
}

// Gathers the acks of a broadcast; the callback runs once, on the shard (or thread) that
// started it, when every recipient answered or the timeout fired.
class ack_gather : public std::enable_shared_from_this<ack_gather> {
 public:
  ack_gather(ack_callback cb, boost::asio::any_io_executor home)
      : cb_(std::move(cb)), home_(std::move(home)), timer_(home_) {}

  void arm(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->finish("operation has timed out");
    });
  }
  /// One server of the cluster reached `n` sockets.
  void add_recipients(std::size_t n) {
    std::lock_guard lock(mutex_);
    expected_ += n;
    ++servers_reported_;
    check();
  }
  void add_response(value v) {
    std::lock_guard lock(mutex_);
    responses_.push_back(std::move(v));
    check();
  }
  void set_server_count(std::size_t n) {
    std::lock_guard lock(mutex_);
    servers_ = n;
    check();
  }

 private:
  void check() {
    if (servers_ && servers_reported_ == *servers_ && responses_.size() >= expected_) {
      boost::asio::post(home_, [self = shared_from_this()] { self->finish(std::nullopt); });
    }
  }
  void finish(std::optional<std::string> error) {
    args responses;
    {
      std::lock_guard lock(mutex_);
      if (done_) return;
      done_ = true;
      responses = responses_;
    }
    timer_.cancel();
    engineio::guarded("broadcast ack callback", [&] {
      cb_(ack_result{std::move(error), std::move(responses)});
    });
  }

  ack_callback cb_;
  std::mutex mutex_;
  std::optional<std::size_t> servers_;
  std::size_t servers_reported_ = 0;
  std::size_t expected_ = 0;
  args responses_;
  bool done_ = false;
  boost::asio::any_io_executor home_;
  boost::asio::steady_timer timer_;
};

// Node throws for these; sending one would make every client drop its connection.
bool refuse_reserved(std::string_view event) {
  if (!is_reserved_event(event)) return false;
  engineio::log_warning("\"{}\" is a reserved event name", event);
  return true;
}

}  // namespace

broadcast_operator::broadcast_operator(namespace_& nsp, broadcast_options opts)
    : nsp_(nsp.shared_from_this()), opts_(std::move(opts)) {}

broadcast_operator broadcast_operator::to(const room& r) const {
  return to(std::vector<room>{r});
}

broadcast_operator broadcast_operator::to(const std::vector<room>& rs) const {
  auto copy = *this;
  copy.opts_.rooms.insert(rs.begin(), rs.end());
  return copy;
}

broadcast_operator broadcast_operator::except(const room& r) const {
  return except(std::vector<room>{r});
}

broadcast_operator broadcast_operator::except(const std::vector<room>& rs) const {
  auto copy = *this;
  copy.opts_.except.insert(rs.begin(), rs.end());
  return copy;
}

broadcast_operator broadcast_operator::local() const {
  auto copy = *this;
  copy.opts_.flags.local = true;
  return copy;
}

broadcast_operator broadcast_operator::volatile_() const {
  auto copy = *this;
  copy.opts_.flags.volatile_ = true;
  return copy;
}

broadcast_operator broadcast_operator::compress(bool on) const {
  auto copy = *this;
  copy.opts_.flags.compress = on;
  return copy;
}

broadcast_operator broadcast_operator::timeout(std::chrono::milliseconds ms) const {
  auto copy = *this;
  copy.opts_.flags.timeout = ms;
  return copy;
}

void broadcast_operator::emit_args(std::string_view event, args values) const {
  if (refuse_reserved(event)) return;
  // With recovery on, events without ack that are not volatile are stored for replay, their
  // offset appended as the last argument (Node's SessionAwareAdapter).
  if (auto* store = nsp_->recovery(); store && !opts_.flags.volatile_) {
    values.insert(values.begin(), value(event));
    store->record(values, opts_);
    values.erase(values.begin());
  }
  nsp_->adapter().broadcast(event_packet(*nsp_, event, std::move(values)), opts_);
}

void broadcast_operator::emit_with_ack(std::string_view event, args values, ack_callback cb) const {
  if (refuse_reserved(event)) return;
  auto& engine = nsp_->owner().engine();
  auto gather = std::make_shared<ack_gather>(std::move(cb),
                                             engine.executor(engine.current_shard().value_or(0)));
  if (opts_.flags.timeout) gather->arm(*opts_.flags.timeout);
  // Node's completeness rule: a count from every server, and as many acks as they counted.
  nsp_->adapter().server_count([gather](std::size_t n) { gather->set_server_count(n); });
  // Without an id: the adapter gives each recipient its own (nor does Node's cluster message
  // carry one).
  auto p = event_packet(*nsp_, event, std::move(values));
  nsp_->adapter().broadcast_with_ack(
      p, opts_, [gather](std::size_t n) { gather->add_recipients(n); },
      [gather](value v) { gather->add_response(std::move(v)); });
}

void broadcast_operator::sockets_join(const std::vector<room>& rooms) const {
  nsp_->adapter().add_sockets(opts_, rooms);
}

void broadcast_operator::sockets_leave(const std::vector<room>& rooms) const {
  nsp_->adapter().del_sockets(opts_, rooms);
}

void broadcast_operator::disconnect_sockets(bool close) const {
  nsp_->adapter().disconnect_sockets(opts_, close);
}

void broadcast_operator::fetch_sockets(std::function<void(fetch_result)> done) const {
  nsp_->adapter().fetch_sockets(opts_, [done = std::move(done)](fetch_result r) {
    engineio::guarded("fetch_sockets callback", [&] { done(std::move(r)); });
  });
}

}  // namespace socketio
