#include "socketio/detail/session_store.hpp"

#include <algorithm>
#include <charconv>

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

// Roughly what a value holds in memory: its strings and binaries, plus a word per element.
std::size_t approximate_size(const value& v) {
  std::size_t total = sizeof(value);
  switch (v.type()) {
    case value::kind::string:
      return total + v.as_string().size();
    case value::kind::binary:
      return total + v.as_binary().size();
    case value::kind::array:
      for (const auto& item : v.as_array()) total += approximate_size(item);
      return total;
    case value::kind::object:
      for (const auto& [key, item] : v.as_object()) total += key.size() + approximate_size(item);
      return total;
    default:
      return total;
  }
}

}  // namespace

void session_store::record(array& data, const broadcast_options& opts) {
  auto now = clock::now();
  std::lock_guard lock(mutex_);
  prune(now);
  // Opaque to the client, which only sends the last one back; unique per namespace and process.
  auto offset = ++next_offset_;
  data.emplace_back(std::to_string(offset));
  value copy(data);
  auto bytes = approximate_size(copy);
  events_.push_back({offset, opts, std::move(copy), bytes, now});
  event_bytes_ += bytes;
  while (event_bytes_ > limits_.max_event_bytes) drop_oldest_event();
}

void session_store::persist(persisted_session s) {
  auto now = clock::now();
  std::lock_guard lock(mutex_);
  prune(now);
  // A pid persisted again moves to the back, so the list stays in disconnection order.
  if (auto it = by_pid_.find(s.pid); it != by_pid_.end()) {
    sessions_.erase(it->second);
    by_pid_.erase(it);
  }
  auto pid = s.pid;
  sessions_.push_back({std::move(s), now});
  by_pid_[pid] = std::prev(sessions_.end());
  while (sessions_.size() > limits_.max_sessions) drop_oldest_session();
}

std::optional<restored_session> session_store::restore(const std::string& pid,
                                                       const std::string& offset) {
  auto now = clock::now();
  std::lock_guard lock(mutex_);
  prune(now);
  auto it = by_pid_.find(pid);
  std::uint64_t wanted = 0;
  auto [end, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), wanted);
  if (it == by_pid_.end() || ec != std::errc{} || end != offset.data() + offset.size() ||
      events_.empty() || wanted < events_.front().offset || wanted > events_.back().offset)
    return std::nullopt;
  restored_session out{it->second->session, {}};
  // Offsets are consecutive, so the event after `wanted` is found by subtraction.
  for (auto e = events_.begin() + static_cast<std::ptrdiff_t>(wanted - events_.front().offset + 1);
       e != events_.end(); ++e) {
    if (reaches(out.session.rooms, e->opts)) out.missed.push_back(e->data);
  }
  return out;
}

session_store::counters session_store::stats() {
  std::lock_guard lock(mutex_);
  return {sessions_.size(), events_.size(), event_bytes_, prune_visits_};
}

// Node cleans up once a minute; here each call drops what has expired from the fronts, which
// costs one look per call plus one per entry dropped.
void session_store::prune(clock::time_point now) {
  auto cutoff = now - max_age_;
  while (!events_.empty() && (++prune_visits_, events_.front().at < cutoff)) drop_oldest_event();
  while (!sessions_.empty() && (++prune_visits_, sessions_.front().disconnected_at < cutoff))
    drop_oldest_session();
}

void session_store::drop_oldest_event() {
  event_bytes_ -= events_.front().bytes;
  events_.pop_front();
}

void session_store::drop_oldest_session() {
  by_pid_.erase(sessions_.front().session.pid);
  sessions_.pop_front();
}

}  // namespace socketio::detail
