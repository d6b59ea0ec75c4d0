#pragma once
/// Where rooms live and how a broadcast reaches its sockets (Node's socket.io-adapter). One
/// adapter per namespace. The in-memory adapter keeps one room index per shard, touched only on
/// that shard; a broadcast is encoded once and posted once to each other shard.

#include <algorithm>
#include <cstddef>
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
  std::set<room> rooms{};   // empty: every socket of the namespace
  std::set<room> except{};  // sockets in any of these rooms are skipped
  broadcast_flags flags{};
};

/// Members of one shard, by room: Node's adapter `rooms` and `sids` maps. A template only so
/// tests can use stand-in members; the server uses `room_index` (of sockets).
template <typename Member>
class basic_room_index {
 public:
  void add_all(Member& m, const std::vector<room>& rooms) {
    auto& mine = members_[&m];
    for (const auto& r : rooms) {
      mine.insert(r);
      rooms_[r].insert(&m);
    }
  }

  void del(Member& m, const room& r) {
    if (auto it = members_.find(&m); it != members_.end()) it->second.erase(r);
    drop_from_room(&m, r);
  }

  void del_all(Member& m) {
    auto it = members_.find(&m);
    if (it == members_.end()) return;
    for (const auto& r : it->second) drop_from_room(&m, r);
    members_.erase(it);
  }

  /// Calls `f` once for every member matching `opts`: Node's algorithm, the union of `rooms`
  /// (or everyone) minus anyone in one of the `except` rooms.
  template <typename F>
  void for_each(const broadcast_options& opts, F&& f) const {
    auto excluded = [&](Member* m) {
      const auto& mine = members_.at(m);
      return std::any_of(opts.except.begin(), opts.except.end(),
                         [&](const room& r) { return mine.count(r) > 0; });
    };
    if (opts.rooms.empty()) {
      for (const auto& [m, rooms] : members_) {
        if (!excluded(m)) f(*m);
      }
      return;
    }
    std::unordered_set<Member*> seen;
    for (const auto& r : opts.rooms) {
      auto it = rooms_.find(r);
      if (it == rooms_.end()) continue;
      for (Member* m : it->second) {
        if (seen.insert(m).second && !excluded(m)) f(*m);
      }
    }
  }

  /// Room names with at least one member.
  void collect_rooms(std::set<room>& out) const {
    for (const auto& [r, members] : rooms_) out.insert(r);
  }

 private:
  void drop_from_room(Member* m, const room& r) {
    auto it = rooms_.find(r);
    if (it == rooms_.end()) return;
    it->second.erase(m);
    if (it->second.empty()) rooms_.erase(it);
  }

  std::unordered_map<room, std::unordered_set<Member*>> rooms_;
  std::unordered_map<Member*, std::set<room>> members_;  // member -> its rooms
};

using room_index = basic_room_index<socket>;

}  // namespace socketio
