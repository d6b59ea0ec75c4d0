#pragma once
/// The Engine.IO socket: open handshake, heartbeat, the write queue, the upgrade from polling to
/// WebSocket and the close, as Node's engine.io `Socket`. Transport-agnostic: it talks to a
/// `transport`, and times through `detail::timer`, so tests drive it with fakes.
///
/// Every member runs on the session's shard thread.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/buffer.hpp"
#include "engineio/error.hpp"
#include "engineio/handler.hpp"
#include "engineio/options.hpp"
#include "engineio/packet.hpp"
#include "engineio/request.hpp"
#include "engineio/transport.hpp"

namespace engineio {

namespace detail {
class timer;  // engineio/detail/timer.hpp: the seam tests drive with a manual clock
using timer_factory = std::function<std::unique_ptr<timer>()>;
}  // namespace detail

class session : public std::enable_shared_from_this<session> {
 public:
  enum class state { open, closing, closed };

  struct config {
    std::string id;
    unsigned shard = 0;
    protocol_version protocol = protocol_version::v4;
    std::shared_ptr<const options> opts;
    handler* events = nullptr;  // outlives every session (owned by the server's user)
    detail::timer_factory timers;
    request_info request;
    /// Called once the session is closed (the server drops it from its table).
    std::function<void(session&)> on_closed;
  };

  explicit session(config cfg);
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  ~session();

  /// Sends the open packet on `first` and starts the heartbeat.
  void start(std::shared_ptr<transport> first);

  const std::string& id() const noexcept { return id_; }
  /// Index of the shard (thread) that owns this session.
  unsigned shard() const noexcept { return shard_; }
  protocol_version protocol() const noexcept { return protocol_; }
  transport_kind transport_name() const noexcept { return transport_->kind(); }
  /// The current transport if it is a `T`, else null: a WebSocket session's sid on a polling
  /// request must never reach polling code.
  template <typename T>
  T* transport_as() noexcept {
    return dynamic_cast<T*>(transport_.get());
  }
  const request_info& request() const noexcept { return request_; }
  state ready_state() const noexcept { return state_; }
  bool upgrading() const noexcept { return upgrade_ != nullptr; }
  bool upgraded() const noexcept { return upgraded_; }
  /// Whether a packet sent now goes out at once (Node drops volatile packets otherwise).
  bool writable() const noexcept { return transport_ && transport_->writable(); }

  void send_text(std::string_view text);
  void send_binary(std::string_view bytes);
  /// Queues an already encoded packet (text packets include their type character); the bytes
  /// may be shared with other sessions.
  void send(outgoing packet);

  /// Server-initiated close: flushes what is queued, then closes with "forced close". With
  /// `discard` (server shutdown) the transport closes at once without waiting for the client.
  void close(bool discard = false);

  /// Listeners on the connection, Node's `socket.conn.on(...)`: they run on the session's shard,
  /// last as long as the session, and one that throws is logged. Under Socket.IO the session is
  /// `s.owner().session()`.
  /// Every packet the client sends on the current transport, pings and pongs too ("packet").
  void on_packet(std::function<void(const packet&)> fn);
  /// Every packet queued for the client, encoded as it will be sent ("packetCreate").
  void on_packet_create(std::function<void(const outgoing&)> fn);
  /// The client proved alive: its pong (v4) or its ping, answered (v3) ("heartbeat").
  void on_heartbeat(std::function<void()> fn);
  /// Queued packets are about to go to the transport ("flush").
  void on_flush(std::function<void(const std::vector<outgoing>&)> fn);
  /// Queued packets went to the transport ("drain").
  void on_drain(std::function<void()> fn);
  /// The WebSocket answered the probe: the switch is under way ("upgrading").
  void on_upgrading(std::function<void()> fn);

  /// Storage for the layer above (Socket.IO keeps its client here).
  void set_attachment(std::shared_ptr<void> value) { attachment_ = std::move(value); }
  void* attachment() const noexcept { return attachment_.get(); }

  // Called by the server and the transports.
  /// A WebSocket for this sid arrived while on polling: start the probe.
  void begin_upgrade(std::shared_ptr<transport> candidate);
  void receive(transport& from, const packet& p);
  void transport_drained(transport& from);
  void transport_closed(transport& from, close_reason reason);
  /// Ends the session at once (parse errors, overlapping polls, server shutdown).
  void fail(close_reason reason);

 private:
  void send_packet(packet_type type, std::string_view data = {});
  void enqueue(outgoing packet);
  void flush();
  void overflow();
  void deliver_message(const packet& p);
  void heartbeat();
  void receive_probe(const packet& p);
  void finish_upgrade();
  void cancel_upgrade();
  void schedule_ping();
  void reset_ping_timeout();
  void release_poll();
  void end_upgrade();
  void close_transport();
  void finish(close_reason reason);
  std::string open_packet_json() const;
  struct listeners;
  listeners& conn_listeners();
  template <typename F>
  void add_listener(std::vector<F> listeners::*list, F fn);

  std::string id_;
  unsigned shard_;
  protocol_version protocol_;
  std::shared_ptr<const options> opts_;
  handler* events_;
  request_info request_;
  std::function<void(session&)> on_closed_;
  std::shared_ptr<void> attachment_;
  std::unique_ptr<listeners> listeners_;  // made by the first on_*: most sessions have none

  /// A WebSocket probing to replace the polling transport, with its two timers. It exists only
  /// while the probe lasts, so an idle session carries one pointer for it.
  struct upgrade {
    std::shared_ptr<transport> candidate;
    std::unique_ptr<detail::timer> timeout;
  };

  state state_ = state::open;
  std::shared_ptr<transport> transport_;
  std::unique_ptr<upgrade> upgrade_;
  bool upgraded_ = false;
  bool transport_closing_ = false;
  bool overflowed_ = false;  // past max_buffered_bytes: closing on the shard's next turn

  std::vector<outgoing> queue_;
  std::size_t queued_bytes_ = 0;

  detail::timer_factory timers_;
  /// Waits for the next ping (v4) or for the peer's silence to end the session: the two never
  /// run at once, as in Node, where a pong clears one and restarts the other.
  std::unique_ptr<detail::timer> heartbeat_;
};

}  // namespace engineio
