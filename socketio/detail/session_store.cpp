#include "socketio/detail/session_store.hpp"

#include <algorithm>

namespace socketio::detail {
namespace {

// Node's shouldIncludePacket: in one of the target rooms (or everyone), in none of the except.
bool reaches(const std::set<room>& rooms, const broadcast_options& opts) {
  bool included =
      opts.rooms.empty() || std::any_of(opts.rooms.begin(), opts.rooms.end(),
                                        [&](const room& r) { return rooms.count(r) > 0; });
  bool excluded = std::any_of(opts.except.begin(), opts.except.end(),
                              [&](const room& r) { return rooms.count(r) > 0; });
  return included && !excluded;
}

}  // namespace

void session_store::record(array& data, const broadcast_options& opts) {
  auto now = clock::now();
  std::lock_guard lock(mutex_);
  prune(now);
  // Opaque to the client, which only sends the last one back; unique per namespace and process.
  std::string offset = std::to_string(++next_offset_);
  data.emplace_back(offset);
  events_.push_back({std::move(offset), opts, value(data), now});
}

void session_store::persist(persisted_session s) {
  auto now = clock::now();
  std::lock_guard lock(mutex_);
  prune(now);
  auto pid = s.pid;
  sessions_[pid] = {std::move(s), now};
}

std::optional<restored_session> session_store::restore(const std::string& pid,
                                                       const std::string& offset) {
  auto now = clock::now();
  std::lock_guard lock(mutex_);
  prune(now);
  auto it = sessions_.find(pid);
  if (it == sessions_.end()) return std::nullopt;
  auto from = std::find_if(events_.begin(), events_.end(),
                           [&](const auto& e) { return e.offset == offset; });
  if (from == events_.end()) return std::nullopt;
  restored_session out{it->second.session, {}};
  for (auto e = std::next(from); e != events_.end(); ++e) {
    if (reaches(out.session.rooms, e->opts)) out.missed.push_back(e->data);
  }
  return out;
}

// Node cleans up once a minute; pruning on every call keeps memory bounded the same way.
void session_store::prune(clock::time_point now) {
  auto cutoff = now - max_age_;
  while (!events_.empty() && events_.front().at < cutoff) events_.pop_front();
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.disconnected_at < cutoff; });
}

}  // namespace socketio::detail
