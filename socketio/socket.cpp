#include "socketio/socket.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <random>

#include "engineio/log.hpp"
#include "engineio/sid.hpp"
#include "socketio/broadcast_operator.hpp"
#include "socketio/client.hpp"
#include "socketio/detail/session_store.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"

namespace socketio {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Node's RECOVERABLE_DISCONNECT_REASONS: the client did not mean to leave.
bool recoverable(disconnect_reason reason) {
  switch (reason) {
    case disconnect_reason::transport_error:
    case disconnect_reason::transport_close:
    case disconnect_reason::forced_close:
    case disconnect_reason::ping_timeout:
    case disconnect_reason::server_shutting_down:
    case disconnect_reason::forced_server_close:
      return true;
    default:
      return false;
  }
}

}  // namespace

// ---- ack (the reply to a client's request) ----

struct ack::state {
  state(std::weak_ptr<socket> owner, std::uint64_t id) : owner(std::move(owner)), id(id) {}
  std::weak_ptr<socket> owner;
  std::uint64_t id;
  std::atomic<bool> sent = false;  // an ack may be called from any thread
};

ack::ack(std::weak_ptr<socket> owner, std::uint64_t id)
    : state_(std::make_shared<state>(std::move(owner), id)) {}

void ack::send(args values) const {
  if (!state_ || state_->sent.exchange(true)) return;
  // The socket's shard and namespace never change, so they may be read from here.
  auto s = state_->owner.lock();
  if (!s) return;
  auto& engine = s->nsp().owner().engine();
  unsigned shard = s->shard();
  auto reply = [s = std::move(s), id = state_->id, values = std::move(values)]() mutable {
    if (!s->connected()) return;
    s->send_packet(packet{packet_type::ack, s->nsp().name(), id, value(array(std::move(values)))},
                   {}, {});
  };
  if (engine.current_shard() == shard) return reply();
  engine.post(shard, std::move(reply));
}

// ---- an ack we wait for from the client ----

struct socket::pending_ack {
  ack_callback cb;
  /// One recipient of a broadcast: only its reply goes to `cb`, as the broadcast reports the
  /// missing ones.
  bool broadcast = false;
  std::unique_ptr<boost::asio::steady_timer> timer;
  bool done = false;

  void complete(ack_result result) {
    if (done) return;
    done = true;
    if (timer) timer->cancel();
    engineio::guarded("ack callback", [&] { cb(std::move(result)); });
  }
  void fail(std::string error) {
    if (broadcast) {
      done = true;
      if (timer) timer->cancel();
      return;
    }
    complete(ack_result{std::move(error), {}});
  }
};

// ---- socket ----

socket::socket(namespace_& nsp, client& owner, std::string id, value auth)
    : nsp_(nsp.shared_from_this()),
      client_(owner.weak_from_this()),
      shard_(owner.shard()),
      id_(std::move(id)),
      auth_(std::move(auth)),
      issued_(now_ms()) {
  if (nsp_->recovery()) pid_ = engineio::generate_sid(shard_);
}

socket::socket(namespace_& nsp, client& owner, value auth, detail::restored_session previous)
    : nsp_(nsp.shared_from_this()),
      client_(owner.weak_from_this()),
      shard_(owner.shard()),
      id_(std::move(previous.session.sid)),
      auth_(std::move(auth)),
      issued_(now_ms()),
      data_(std::move(previous.session.data)),
      rooms_(std::move(previous.session.rooms)),
      pid_(std::move(previous.session.pid)),
      recovered_(true),
      missed_(std::move(previous.missed)) {}

// Below 2^30: the Java client reads ack ids as 32-bit ints, so a socket has a billion to go.
std::uint64_t socket::first_ack_id() {
  thread_local std::mt19937 random{std::random_device{}()};
  return std::uniform_int_distribution<std::uint64_t>(0, (1U << 30) - 1)(random);
}

socket::~socket() {
  nsp_->release(connected_ || closed_);
}

const struct handshake& socket::handshake() const {
  if (handshake_) return *handshake_;
  if (auto c = client_.lock()) {
    handshake_ = std::make_unique<struct handshake>(c->make_handshake(auth_, issued_));
  } else {
    // The request went with the connection: what the socket itself knows is all there is.
    handshake_ = std::make_unique<struct handshake>();
    handshake_->auth = auth_;
    handshake_->issued = issued_;
  }
  return *handshake_;
}

std::string_view socket::transport() const noexcept {
  auto c = client_.lock();
  return c ? engineio::to_string(c->session().transport_name()) : std::string_view();
}

std::shared_ptr<engineio::session> socket::conn() const noexcept {
  auto c = client_.lock();
  return c ? c->session().weak_from_this().lock() : nullptr;
}

void socket::complete_connect(detail::internal_key /*unused*/) {
  connected_ = true;
  ++nsp_->connected_sockets_;
  auto rooms = std::vector<room>(rooms_.begin(), rooms_.end());
  {
    std::lock_guard lock(rooms_mutex_);
    rooms_.clear();
  }
  rooms.push_back(id_);
  join(rooms);
  // Node sends the missed events first; the client holds them until its CONNECT arrives.
  for (auto& data : std::exchange(missed_, {})) {
    send_packet(packet{packet_type::event, nsp_->name(), std::nullopt, std::move(data)}, {}, {});
  }
  value connect_data;
  if (owner().protocol() != engineio::protocol_version::v3) {
    connect_data =
        pid_.empty() ? value(object{{"sid", id_}}) : value(object{{"sid", id_}, {"pid", pid_}});
  }
  send_packet(
      packet{packet_type::connect, nsp_->name(), std::nullopt,
             connect_data.is_null() ? std::nullopt : std::optional<value>(std::move(connect_data))},
      {}, {});
}

void socket::join(const room& r) {
  join(std::vector<room>{r});
}

void socket::join(const std::vector<room>& rs) {
  if (closed_) return;
  if (!connected_) {
    // In a middleware, as Node allows: the rooms are joined once the socket connects.
    std::lock_guard lock(rooms_mutex_);
    rooms_.insert(rs.begin(), rs.end());
    return;
  }
  std::vector<room> added;
  {
    std::lock_guard lock(rooms_mutex_);
    for (const auto& r : rs) {
      if (rooms_.insert(r).second) added.push_back(r);
    }
  }
  nsp_->adapter().add_all(*this, added);
}

void socket::leave(const room& r) {
  {
    std::lock_guard lock(rooms_mutex_);
    if (rooms_.erase(r) == 0) return;
  }
  if (connected_) nsp_->adapter().del(*this, r);
}

void socket::emit_args(std::string_view event, args values) {
  if (is_reserved_event(event)) {
    engineio::log_warning("\"{}\" is a reserved event name", event);
    return;
  }
  auto flags = std::exchange(next_emit_, {});
  values.insert(values.begin(), value(event));
  // With recovery on, Node routes socket.emit through the adapter so it is stored for replay
  // (not a volatile one).
  if (auto* store = nsp_->recovery(); store && !flags.volatile_)
    store->record(values, broadcast_options{.rooms = {id_}});
  packet p{packet_type::event, nsp_->name(), std::nullopt, value(array(std::move(values)))};
  notify_outgoing(p, {});
  send_packet(p, flags, {});
}

void socket::emit_with_ack(std::string_view event, args values, ack_callback cb,
                           std::optional<std::chrono::milliseconds> timeout) {
  if (is_reserved_event(event)) {
    engineio::log_warning("\"{}\" is a reserved event name", event);
    return;
  }
  auto flags = std::exchange(next_emit_, {});
  auto id = next_ack_id_++;
  auto pending = std::make_shared<pending_ack>();
  pending->cb = std::move(cb);
  add_ack(id, pending, timeout);
  values.insert(values.begin(), value(event));
  packet p{packet_type::event, nsp_->name(), id, value(array(std::move(values)))};
  notify_outgoing(p, {});
  send_packet(p, flags, {});
}

void socket::add_ack(std::uint64_t id, const std::shared_ptr<pending_ack>& pending,
                     std::optional<std::chrono::milliseconds> timeout) {
  if (timeout) {
    pending->timer = std::make_unique<boost::asio::steady_timer>(
        nsp_->owner().engine().executor(shard_), *timeout);
    // Holds the pending ack, not the socket: the error is reported even after a disconnect.
    pending->timer->async_wait(
        [self = weak_from_this(), id, pending](boost::system::error_code ec) {
          if (ec) return;
          if (auto s = self.lock()) {
            auto it = s->acks_.find(id);
            if (it != s->acks_.end() && it->second == pending) s->acks_.erase(it);
          }
          pending->fail("operation has timed out");
        });
  }
  // A socket whose connection is gone gets no reply: only the timeout's error can come.
  if (closed_ || client_.expired()) return;
  acks_[id] = pending;
  if (acks_.size() <= nsp_->owner().options().max_pending_acks) return;
  auto oldest = std::move(acks_.begin()->second);
  acks_.erase(acks_.begin());
  oldest->fail("too many pending acks");
}

// On a copy of the list: a listener may add or remove listeners.
template <typename Listener, typename... Values>
void socket::notify(const std::vector<Listener>& list, std::string_view what,
                    const Values&... values) {
  for (const auto& h : std::vector(list)) {
    engineio::guarded(what, [&] { h(*this, values...); });
  }
}

template <typename Listener, typename... Values>
void socket::notify_rare(std::vector<Listener> rare_listeners::*list, std::string_view what,
                         const Values&... values) {
  if (rare_) notify(rare_.get()->*list, what, values...);
}

void socket::notify_outgoing(const packet& p, detail::internal_key /*unused*/) {
  if (!rare_ || rare_->any_outgoing.empty() || !p.data) return;
  // A cluster adapter passes on whatever `data` another node sent: only events have a name.
  const auto& data = p.data->as_array();
  if (data.empty() || !data[0].is_string()) return;
  std::string event = data[0].as_string();
  args values(data.begin() + 1, data.end());
  notify_rare(&rare_listeners::any_outgoing, "outgoing listener", event, values);
}

std::uint64_t socket::expect_ack(ack_callback cb, std::optional<std::chrono::milliseconds> timeout,
                                 detail::internal_key /*unused*/) {
  auto id = next_ack_id_++;
  auto pending = std::make_shared<pending_ack>();
  pending->cb = std::move(cb);
  pending->broadcast = true;
  add_ack(id, pending, timeout);
  return id;
}

client& socket::owner() noexcept {
  return *client_.lock();
}

remote_socket socket::ref() const {
  return remote_socket(*nsp_, id_, handshake(), rooms_, data_);
}

broadcast_operator socket::to(const room& r) {
  return broadcast().to(r);
}
broadcast_operator socket::in(const room& r) {
  return to(r);
}
broadcast_operator socket::except(const room& r) {
  return broadcast().except(r);
}

broadcast_operator socket::broadcast() {
  // Like Node, a broadcast from a socket leaves out the socket itself (its own room).
  broadcast_options opts;
  opts.except.insert(id_);
  return broadcast_operator(*nsp_, std::move(opts));
}

listener_id socket::add_handler(const std::string& event, event_handler h, bool once,
                                bool prepend) {
  auto id = next_listener_id_++;
  auto& list = handlers_[event];
  list.insert(prepend ? list.begin() : list.end(), handler_entry{id, std::move(h), once});
  return id;
}

void socket::off(const std::string& event, listener_id id) {
  auto it = handlers_.find(event);
  if (it == handlers_.end()) return;
  std::erase_if(it->second, [id](const handler_entry& e) { return e.id == id; });
  if (it->second.empty()) handlers_.erase(it);
}

void socket::off(const std::string& event) {
  handlers_.erase(event);
}

void socket::remove_all_listeners() {
  handlers_.clear();
  disconnect_.clear();
  if (rare_) {
    rare_->error.clear();
    rare_->disconnecting.clear();
  }
}

std::size_t socket::listener_count(const std::string& event) const {
  auto it = handlers_.find(event);
  return it == handlers_.end() ? 0 : it->second.size();
}

std::vector<listener_id> socket::listeners(const std::string& event) const {
  std::vector<listener_id> ids;
  if (auto it = handlers_.find(event); it != handlers_.end()) {
    for (const auto& entry : it->second) ids.push_back(entry.id);
  }
  return ids;
}

std::vector<std::string> socket::event_names() const {
  std::vector<std::string> names;
  for (const auto& [event, entries] : handlers_) {
    if (!entries.empty()) names.push_back(event);
  }
  std::sort(names.begin(), names.end());
  return names;
}

listener_id socket::add_any(std::vector<any_entry>& list, any_handler h, bool prepend) {
  auto id = next_listener_id_++;
  list.insert(prepend ? list.begin() : list.end(), any_entry{id, std::move(h)});
  return id;
}

void socket::remove_any(std::vector<any_entry> rare_listeners::*list,
                        std::optional<listener_id> id) {
  if (!rare_) return;
  auto& entries = rare_.get()->*list;
  std::erase_if(entries, [&](const any_entry& e) { return !id || e.id == *id; });
}

void socket::send_packet(const packet& p, emit_flags flags, detail::internal_key /*unused*/) {
  // Node drops what is sent on a closed connection; here the client may be gone too.
  if (closed_) return;
  if (auto c = client_.lock()) c->write(encode(p, c->parser()), flags.volatile_, flags.compress);
}

void socket::receive(packet p, detail::internal_key /*unused*/) {
  if (!connected_) return;
  switch (p.type) {
    case packet_type::event:
    case packet_type::binary_event:
      return on_event(std::move(p));
    case packet_type::ack:
    case packet_type::binary_ack:
      return on_ack(std::move(p));
    case packet_type::disconnect:
      return finish(disconnect_reason::client_namespace_disconnect, {});
    default:
      return;
  }
}

void socket::on_event(packet p) {
  auto values = std::move(p.data->as_array());
  // Node turns a numeric name into a string, and nothing listens for other kinds of name (the
  // msgpack parser lets them through).
  if (values.empty() || !(values[0].is_string() || values[0].is_number())) return;
  std::string event = values[0].is_string() ? values[0].as_string() : values[0].to_json();
  values.erase(values.begin());
  ack reply = p.id ? ack(weak_from_this(), *p.id) : ack();
  notify_rare(&rare_listeners::any, "catch-all listener", event, values);
  run_middlewares(0, std::move(event), std::move(values), std::move(reply));
}

void socket::run_middlewares(std::size_t index, std::string event, args values, ack reply) {
  if (!rare_ || index >= rare_->middlewares.size()) return dispatch(event, values, reply);
  auto self = weak_from_this();
  auto shared_values = std::make_shared<args>(std::move(values));
  event_next next = [self, index, event, shared_values, reply](std::optional<std::string> error) {
    auto s = self.lock();
    if (!s) return;
    if (error) return s->report_error(*error, {});
    s->run_middlewares(index + 1, event, std::move(*shared_values), reply);
  };
  engineio::guarded("socket middleware", [&] {
    rare_->middlewares[index](*this, event, *shared_values, std::move(next));
  });
}

void socket::dispatch(const std::string& event, const args& values, const ack& reply) {
  if (!connected_) return;
  auto it = handlers_.find(event);
  if (it == handlers_.end()) return;
  auto entries = it->second;  // handlers may add or remove handlers
  std::erase_if(it->second, [](const handler_entry& e) { return e.once; });
  for (auto& entry : entries) {
    engineio::guarded("event handler", [&] { entry.fn(*this, values, reply); });
  }
}

void socket::on_ack(packet p) {
  auto it = acks_.find(p.id.value_or(0));
  if (!p.id || it == acks_.end()) return;  // Node ignores an unknown ack id
  auto pending = std::move(it->second);
  acks_.erase(it);
  pending->complete(ack_result{std::nullopt, std::move(p.data->as_array())});
}

void socket::report_error(const std::string& message, detail::internal_key /*unused*/) {
  notify_rare(&rare_listeners::error, "error listener", message);
}

void socket::disconnect(bool close) {
  if (!connected_) return;
  if (close) return owner().disconnect_all();
  send_packet(packet{packet_type::disconnect, nsp_->name(), std::nullopt, std::nullopt}, {}, {});
  finish(disconnect_reason::server_namespace_disconnect, {});
}

void socket::notify_upgrade(detail::internal_key /*unused*/) {
  notify_rare(&rare_listeners::upgrade, "upgrade listener");
}

void socket::finish(disconnect_reason reason, detail::internal_key /*unused*/) {
  if (!connected_) return;
  auto self = shared_from_this();  // the client drops its reference below
  notify_rare(&rare_listeners::disconnecting, "disconnecting listener", reason);
  if (auto* store = nsp_->recovery(); store && recoverable(reason)) {
    store->persist({id_, pid_, rooms_, data_});
  }
  nsp_->adapter().del_all(*this);
  {
    std::lock_guard lock(rooms_mutex_);
    rooms_.clear();
  }
  connected_ = false;
  --nsp_->connected_sockets_;
  closed_ = true;
  // Replies cannot come any more. Node keeps them until their timeouts, which still fire here.
  acks_.clear();
  owner().remove(*this);
  notify(disconnect_, "disconnect listener", reason);
}

}  // namespace socketio
