#pragma once
/// Where rooms live and how a broadcast reaches its sockets (Node's socket.io-adapter). One
/// adapter per namespace. The in-memory adapter keeps one room index per shard, touched only on
/// that shard; a broadcast is encoded once and posted once to each other shard.

#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "socketio/packet.hpp"

namespace socketio {

class socket;

using room = std::string;

struct broadcast_flags {
  bool local = false;
  bool volatile_ = false;
  bool compress = true;
};

struct broadcast_options {
  std::set<room> rooms;   // empty: every socket of the namespace
  std::set<room> except;  // sockets in any of these rooms are skipped
  broadcast_flags flags;
};

/// Sockets of one shard, by room: Node's adapter `rooms` and `sids` maps.
class room_index {
 public:
  void add_all(socket& s, const std::vector<room>& rooms);
  void del(socket& s, const room& r);
  void del_all(socket& s);
  /// Calls `f` once for every socket matching `opts` (union of rooms, minus except).
  void for_each(const broadcast_options& opts, const std::function<void(socket&)>& f) const;
  /// Room names with at least one socket.
  void collect_rooms(std::set<room>& out) const;

 private:
  std::unordered_map<room, std::unordered_set<socket*>> rooms_;
  // socket -> its rooms; also the set of all sockets of this shard in the namespace.
  std::unordered_map<socket*, std::set<room>> sids_;
};

}  // namespace socketio
