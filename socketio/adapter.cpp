#include "socketio/adapter.hpp"

#include "socketio/socket.hpp"

namespace socketio {

void room_index::add_all(socket& s, const std::vector<room>& rooms) {
  auto& mine = sids_[&s];
  for (const auto& r : rooms) {
    mine.insert(r);
    rooms_[r].insert(&s);
  }
}

void room_index::del(socket& s, const room& r) {
  if (auto it = sids_.find(&s); it != sids_.end()) it->second.erase(r);
  if (auto it = rooms_.find(r); it != rooms_.end()) {
    it->second.erase(&s);
    if (it->second.empty()) rooms_.erase(it);
  }
}

void room_index::del_all(socket& s) {
  auto it = sids_.find(&s);
  if (it == sids_.end()) return;
  for (const auto& r : it->second) {
    if (auto room_it = rooms_.find(r); room_it != rooms_.end()) {
      room_it->second.erase(&s);
      if (room_it->second.empty()) rooms_.erase(room_it);
    }
  }
  sids_.erase(it);
}

void room_index::for_each(const broadcast_options& opts, const std::function<void(socket&)>& f) const {
  auto excluded = [&](socket* s) {
    if (opts.except.empty()) return false;
    const auto& mine = sids_.at(s);
    for (const auto& r : opts.except) {
      if (mine.count(r)) return true;
    }
    return false;
  };
  if (opts.rooms.empty()) {
    for (const auto& [s, rooms] : sids_) {
      if (!excluded(s)) f(*s);
    }
    return;
  }
  std::unordered_set<socket*> seen;
  for (const auto& r : opts.rooms) {
    auto it = rooms_.find(r);
    if (it == rooms_.end()) continue;
    for (socket* s : it->second) {
      if (seen.insert(s).second && !excluded(s)) f(*s);
    }
  }
}

void room_index::collect_rooms(std::set<room>& out) const {
  for (const auto& [r, members] : rooms_) out.insert(r);
}

}  // namespace socketio
