#include "engineio/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "engineio/detail/base64.hpp"
#include "engineio/detail/timer.hpp"
#include "engineio/log.hpp"

namespace engineio {

using namespace std::chrono_literals;

session::session(config cfg)
    : id_(std::move(cfg.id)),
      shard_(cfg.shard),
      protocol_(cfg.protocol),
      opts_(std::move(cfg.opts)),
      events_(cfg.events),
      request_(std::move(cfg.request)),
      on_closed_(std::move(cfg.on_closed)),
      timers_(std::move(cfg.timers)),
      heartbeat_(timers_()) {}

struct session::listeners {
  std::vector<std::function<void(const packet&)>> packet;
  std::vector<std::function<void(const outgoing&)>> packet_create;
  std::vector<std::function<void()>> heartbeat;
  std::vector<std::function<void(const std::vector<outgoing>&)>> flush;
  std::vector<std::function<void()>> drain;
  std::vector<std::function<void()>> upgrading;
};

namespace {

// Runs a copy of the list, as Node's emit does: a listener may add listeners, or close the
// session (which drops them), while the others run.
template <typename... Args>
void notify(const std::vector<std::function<void(const Args&...)>>& list, std::string_view event,
            const Args&... args) {
  const auto snapshot = list;  // NOLINT(performance-unnecessary-copy-initialization): see above
  for (const auto& listener : snapshot) guarded(event, [&] { listener(args...); });
}

void notify(const std::vector<std::function<void()>>& list, std::string_view event) {
  const auto snapshot = list;  // NOLINT(performance-unnecessary-copy-initialization): see above
  for (const auto& listener : snapshot) guarded(event, listener);
}

}  // namespace

session::~session() = default;

session::listeners& session::conn_listeners() {
  if (!listeners_) listeners_ = std::make_unique<listeners>();
  return *listeners_;
}

template <typename F>
void session::add_listener(std::vector<F> listeners::*list, F fn) {
  // A closed session has dropped its listeners for good: one that holds the session (through
  // socket.conn()) would otherwise keep it alive.
  if (state_ == state::closed) return;
  (conn_listeners().*list).push_back(std::move(fn));
}

void session::on_packet(std::function<void(const packet&)> fn) {
  add_listener(&listeners::packet, std::move(fn));
}

void session::on_packet_create(std::function<void(const outgoing&)> fn) {
  add_listener(&listeners::packet_create, std::move(fn));
}

void session::on_heartbeat(std::function<void()> fn) {
  add_listener(&listeners::heartbeat, std::move(fn));
}

void session::on_flush(std::function<void(const std::vector<outgoing>&)> fn) {
  add_listener(&listeners::flush, std::move(fn));
}

void session::on_drain(std::function<void()> fn) {
  add_listener(&listeners::drain, std::move(fn));
}

void session::on_upgrading(std::function<void()> fn) {
  add_listener(&listeners::upgrading, std::move(fn));
}

void session::start(std::shared_ptr<transport> first) {
  transport_ = std::move(first);
  transport_->attach(weak_from_this());
  // As in Node, the open packet (with the initial one) leaves on its own: what the open handlers
  // send goes in a later answer (a v3 client's CONNECT in the next poll).
  enqueue(make_text_packet(packet_type::open, open_packet_json()));
  if (opts_->initial_packet)
    enqueue(make_text_packet(packet_type::message, *opts_->initial_packet));
  flush();
  events_->on_open(*this);
  // v4: the server pings; v3: the client pings and the server only watches for silence.
  if (protocol_ == protocol_version::v4) {
    schedule_ping();
  } else {
    reset_ping_timeout();
  }
}

std::string session::open_packet_json() const {
  bool websocket_enabled =
      std::ranges::find(opts_->transports, transport_kind::websocket) != opts_->transports.end();
  bool can_upgrade =
      opts_->allow_upgrades && websocket_enabled && transport_->kind() == transport_kind::polling;
  return fmt::format(
      R"({{"sid":"{}","upgrades":[{}],"pingInterval":{},"pingTimeout":{},"maxPayload":{}}})", id_,
      can_upgrade ? R"("websocket")" : "", opts_->ping_interval.count(),
      opts_->ping_timeout.count(), opts_->max_http_buffer_size);
}

void session::send_text(std::string_view text) {
  send_packet(packet_type::message, text);
}

void session::send_binary(std::string_view bytes) {
  send(make_binary_packet(bytes));
}

void session::send_packet(packet_type type, std::string_view data) {
  send(make_text_packet(type, data));
}

void session::send(outgoing packet) {
  if (state_ != state::open || overflowed_) return;
  if (listeners_) {
    notify(listeners_->packet_create, "packetCreate listener", packet);
    if (state_ != state::open || overflowed_) return;
  }
  enqueue(std::move(packet));
  flush();
  // Only what must wait counts: a packet larger than the limit still goes to a client that reads.
  if (queued_bytes_ > opts_->max_buffered_bytes) overflow();
}

void session::enqueue(outgoing packet) {
  queued_bytes_ += packet.bytes->size();
  queue_.push_back(std::move(packet));
}

// The client is not reading. Nothing more is queued, and the close waits for the shard's next
// turn: `send` runs inside broadcasts and handlers that still walk the sockets this close would
// remove (uWebSockets defers such closes too). The heartbeat timer carries it, as no ping or
// silence matters any more; `receive` ignores the client meanwhile, so nothing re-arms it.
void session::overflow() {
  log_warning("session {}: client is not reading, {} bytes queued; closing", id_, queued_bytes_);
  overflowed_ = true;
  queue_.clear();
  queued_bytes_ = 0;
  heartbeat_->start(0ms, [self = weak_from_this()] {
    if (auto s = self.lock()) s->finish(close_reason::transport_error);
  });
}

void session::flush() {
  auto ready = [this] {
    return state_ != state::closed && !upgrade_ && transport_->writable() && !queue_.empty();
  };
  if (!ready()) return;
  if (listeners_) {
    // A flush listener that sends flushes again from inside: then nothing is left here.
    notify(listeners_->flush, "flush listener", std::vector<outgoing>(queue_));
    if (!ready()) return;
  }
  std::vector<outgoing> batch;
  batch.swap(queue_);
  queued_bytes_ = 0;
  transport_->send(std::move(batch));
  if (listeners_) notify(listeners_->drain, "drain listener");
}

void session::close(bool discard) {
  if (discard && state_ != state::closed) {
    state_ = state::closing;
    transport_closing_ = true;
    transport_->discard();
    return transport_->close();
  }
  if (state_ != state::open) return;
  state_ = state::closing;
  // Like Node, what is queued goes out first; transport_drained closes the transport once it has.
  if (queue_.empty()) close_transport();
}

void session::close_transport() {
  if (transport_closing_) return;
  transport_closing_ = true;
  transport_->close();
}

void session::transport_drained(transport& from) {
  if (&from != transport_.get()) return;
  if (upgrade_) return release_poll();
  flush();
  if (state_ == state::closing && queue_.empty()) close_transport();
}

void session::receive(transport& from, const packet& p) {
  if (upgrade_ && &from == upgrade_->candidate.get()) return receive_probe(p);
  auto current = [&] { return &from == transport_.get() && state_ == state::open && !overflowed_; };
  if (!current()) return;
  if (listeners_) {
    notify(listeners_->packet, "packet listener", p);
    if (!current()) return;
  }
  switch (p.type) {
    case packet_type::ping:
      if (protocol_ != protocol_version::v3) return fail(close_reason::transport_error);
      reset_ping_timeout();
      send_packet(packet_type::pong);
      return heartbeat();
    case packet_type::pong:
      if (protocol_ == protocol_version::v3) return fail(close_reason::transport_error);
      schedule_ping();
      return heartbeat();
    case packet_type::message:
      return deliver_message(p);
    case packet_type::close:
      return transport_closed(from, close_reason::transport_close);
    default:
      return;  // open, upgrade and noop mean nothing here, as in Node
  }
}

void session::heartbeat() {
  if (listeners_) notify(listeners_->heartbeat, "heartbeat listener");
}

void session::deliver_message(const packet& p) {
  if (!p.binary) return events_->on_message(*this, p.data);
  if (!p.base64) return events_->on_binary(*this, p.data);
  auto bytes = detail::base64_decode(p.data);
  if (!bytes) return fail(close_reason::parse_error);
  events_->on_binary(*this, *bytes);
}

// From the upgrade request on, a poll is answered at once with a noop and packets wait for the
// new transport: a client that polls while it probes is never held up. (Node starts only once
// the probe arrives, and then answers a parked poll every 100 ms.)
void session::begin_upgrade(std::shared_ptr<transport> candidate) {
  upgrade_ = std::make_unique<upgrade>(upgrade{std::move(candidate), timers_()});
  upgrade_->candidate->attach(weak_from_this());
  upgrade_->timeout->start(opts_->upgrade_timeout, [self = weak_from_this()] {
    if (auto s = self.lock()) s->cancel_upgrade();
  });
  release_poll();
}

void session::release_poll() {
  if (!transport_->writable()) return;
  std::vector<outgoing> noop;
  noop.push_back(make_text_packet(packet_type::noop));
  transport_->send(std::move(noop));
}

void session::receive_probe(const packet& p) {
  if (p.type == packet_type::ping && p.data == "probe") {
    std::vector<outgoing> pong;
    pong.push_back(make_text_packet(packet_type::pong, "probe"));
    upgrade_->candidate->send(std::move(pong));
    if (listeners_) notify(listeners_->upgrading, "upgrading listener");
  } else if (p.type == packet_type::upgrade && state_ != state::closed) {
    finish_upgrade();
  } else {
    cancel_upgrade();
  }
}

void session::finish_upgrade() {
  auto old = std::move(transport_);
  transport_ = std::move(upgrade_->candidate);
  transport_closing_ = false;  // a close asked for meanwhile went to the old one: this one is new
  end_upgrade();
  upgraded_ = true;
  old->discard();
  old->close();  // its close report is ignored: it is no longer the session's transport
  events_->on_upgrade(*this);
  flush();
  if (state_ == state::closing && queue_.empty()) close_transport();
}

void session::cancel_upgrade() {
  if (!upgrade_) return;
  auto candidate = std::move(upgrade_->candidate);
  end_upgrade();
  if (candidate) candidate->close();
}

// The timers go with the upgrade state. A timer leaves its queue when destroyed, and the queue
// has moved a callback out before running it, so this is safe from their own callbacks too.
void session::end_upgrade() {
  if (!upgrade_) return;
  upgrade_->timeout->cancel();
  upgrade_.reset();
}

void session::transport_closed(transport& from, close_reason reason) {
  if (upgrade_ && &from == upgrade_->candidate.get()) return end_upgrade();
  if (&from != transport_.get()) return;
  finish(state_ == state::closing ? close_reason::forced_close : reason);
}

void session::fail(close_reason reason) {
  finish(reason);
}

void session::schedule_ping() {
  heartbeat_->start(opts_->ping_interval, [self = weak_from_this()] {
    auto s = self.lock();
    if (!s) return;
    s->send_packet(packet_type::ping);
    s->reset_ping_timeout();
  });
}

void session::reset_ping_timeout() {
  auto wait = protocol_ == protocol_version::v3 ? opts_->ping_interval + opts_->ping_timeout
                                                : opts_->ping_timeout;
  heartbeat_->start(wait, [self = weak_from_this()] {
    if (auto s = self.lock()) s->finish(close_reason::ping_timeout);
  });
}

void session::finish(close_reason reason) {
  if (state_ == state::closed) return;
  state_ = state::closed;
  heartbeat_->cancel();
  cancel_upgrade();
  queue_.clear();
  queued_bytes_ = 0;
  // A polling transport still holding a GET answers it with a close packet.
  if (!transport_closing_) {
    transport_closing_ = true;
    transport_->close();
  }
  auto keep_alive = shared_from_this();  // the callbacks below may drop the last owner
  listeners_.reset();                    // a listener may hold the session: let it go
  events_->on_close(*this, reason);
  if (on_closed_) on_closed_(*this);
}

}  // namespace engineio
