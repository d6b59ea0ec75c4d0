#pragma once
/// The one way up from Engine.IO: the layer above (Socket.IO, or an echo test) implements this.

#include <string_view>

#include "engineio/error.hpp"

namespace engineio {

class session;

/// Called on the session's own shard thread, one call at a time per session.
class handler {
 public:
  virtual ~handler() = default;
  virtual void on_open(session& s) = 0;
  virtual void on_message(session& s, std::string_view text) = 0;
  virtual void on_binary(session& s, std::string_view bytes) = 0;
  /// The session moved from polling to WebSocket (Node's `upgrade` event).
  virtual void on_upgrade(session&) {}
  /// The last call for `s`; sending from here is a no-op.
  virtual void on_close(session& s, close_reason reason) = 0;
};

}  // namespace engineio
