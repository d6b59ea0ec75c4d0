#pragma once
/// What a session needs from a transport. Transports report back to their session through
/// `session::receive`, `transport_drained` and `transport_closed`.

#include <memory>
#include <vector>

#include "engineio/buffer.hpp"
#include "engineio/protocol.hpp"

namespace engineio {

class session;

class transport {
 public:
  virtual ~transport() = default;
  virtual transport_kind kind() const noexcept = 0;
  /// True when `send` would go out now (a parked GET, or no WebSocket write in flight).
  virtual bool writable() const noexcept = 0;
  virtual void send(std::vector<outgoing> packets) = 0;
  /// Orderly close; reports `transport_closed` when done (polling may wait for the next GET
  /// to deliver the close packet).
  virtual void close() = 0;
  /// The session moved to another transport: polling stops waiting for requests.
  virtual void discard() {}

  void attach(std::weak_ptr<session> owner) { session_ = std::move(owner); }

 protected:
  std::weak_ptr<session> session_;
};

}  // namespace engineio
