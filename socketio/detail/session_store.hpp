#pragma once
// Connection state recovery, as Node's SessionAwareAdapter: every stored event carries an offset
// (appended as its last argument, which the client echoes back on reconnection), and sockets that
// drop for a recoverable reason are kept for a while with their rooms and data. Shared by all
// shards of a namespace, behind one mutex: one lock per broadcast, never per recipient.
//
// Events and sessions are kept in the order they came, so expiry and the size limits drop from
// the front: each call does work for what it drops, never a scan of everything kept.

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
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

  /// Past these the oldest events or sessions are dropped; recovery_options documents them.
  struct limits {
    std::size_t max_event_bytes = std::size_t{64} << 20;
    std::size_t max_sessions = 100'000;
  };
  struct counters {
    std::size_t sessions = 0;
    std::size_t events = 0;
    std::size_t event_bytes = 0;
    std::uint64_t prune_visits = 0;  // entries pruning looked at, so tests can count the work
  };

  session_store(std::chrono::milliseconds max_disconnection, limits bounds)
      : max_age_(max_disconnection), limits_(bounds) {}

  /// Appends a fresh offset to an event's data (name and arguments) and keeps a copy for replay.
  void record(array& data, const broadcast_options& opts);
  void persist(persisted_session s);
  /// The session of `pid`, with the events it missed after `offset`; nullopt when unknown,
  /// expired, or the offset is no longer kept. Like Node's adapter, the session stays until it
  /// expires, so a client that reconnects again with the same pid and offset recovers again.
  std::optional<restored_session> restore(const std::string& pid, const std::string& offset);

  counters stats();

 private:
  struct stored_event {
    std::uint64_t offset;
    broadcast_options opts;
    value data;
    std::size_t bytes;
    clock::time_point at;
  };
  struct stored_session {
    persisted_session session;
    clock::time_point disconnected_at;
  };
  void prune(clock::time_point now);
  void drop_oldest_event();
  void drop_oldest_session();

  std::chrono::milliseconds max_age_;
  limits limits_;
  std::mutex mutex_;
  std::uint64_t next_offset_ = 0;
  std::deque<stored_event> events_;  // offsets consecutive, oldest first
  std::size_t event_bytes_ = 0;
  std::list<stored_session> sessions_;  // oldest first
  std::unordered_map<std::string, std::list<stored_session>::iterator> by_pid_;
  std::uint64_t prune_visits_ = 0;
};

}  // namespace socketio::detail
