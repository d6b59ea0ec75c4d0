#pragma once
// Connection state recovery, as Node's SessionAwareAdapter: every stored event carries an offset
// (appended as its last argument, which the client echoes back on reconnection), and sockets that
// drop for a recoverable reason are kept for a while with their rooms and data. Shared by all
// shards of a namespace, behind one mutex: one lock per broadcast, never per recipient.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "socketio/adapter.hpp"
#include "socketio/value.hpp"

namespace socketio::detail {

struct persisted_session {
  std::string sid;
  std::string pid;
  std::set<room> rooms;
  value data;
};

struct restored_session {
  persisted_session session;
  std::vector<value> missed;  // event data arrays, offsets included, in order
};

class session_store {
 public:
  using clock = std::chrono::steady_clock;

  explicit session_store(std::chrono::milliseconds max_disconnection)
      : max_age_(max_disconnection) {}

  /// Appends a fresh offset to an event's data (name and arguments) and keeps a copy for replay.
  void record(array& data, const broadcast_options& opts);
  void persist(persisted_session s);
  /// The session of `pid`, with the events it missed after `offset`; nullopt when unknown,
  /// expired, or the offset is no longer kept. Like Node's adapter, the session stays until it
  /// expires, so a client that reconnects again with the same pid and offset recovers again.
  std::optional<restored_session> restore(const std::string& pid, const std::string& offset);

 private:
  struct stored_event {
    std::string offset;
    broadcast_options opts;
    value data;
    clock::time_point at;
  };
  struct stored_session {
    persisted_session session;
    clock::time_point disconnected_at;
  };
  void prune(clock::time_point now);

  std::chrono::milliseconds max_age_;
  std::mutex mutex_;
  std::uint64_t next_offset_ = 0;
  std::deque<stored_event> events_;
  std::unordered_map<std::string, stored_session> sessions_;
};

}  // namespace socketio::detail
