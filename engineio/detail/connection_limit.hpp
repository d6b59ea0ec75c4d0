#pragma once
// Counts the engine's open TCP connections against options::max_connections. Whatever owns an
// accepted socket (the HTTP connection, then a WebSocket transport or raw peer) holds a slot and
// gives it back when it is destroyed; the acceptor pauses while the count is at the limit and is
// woken by the release that makes room.

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <utility>

namespace engineio::detail {

class connection_limit;

/// One open connection; move-only, released on destruction.
class connection_slot {
 public:
  connection_slot() = default;
  explicit connection_slot(connection_limit& limit) : limit_(&limit) {}
  connection_slot(connection_slot&& other) noexcept
      : limit_(std::exchange(other.limit_, nullptr)) {}
  connection_slot& operator=(connection_slot&& other) noexcept {
    if (this != &other) {
      release();
      limit_ = std::exchange(other.limit_, nullptr);
    }
    return *this;
  }
  ~connection_slot() { release(); }

 private:
  inline void release() noexcept;
  connection_limit* limit_ = nullptr;
};

class connection_limit {
 public:
  /// `on_room` runs (on any thread) when a release makes room after pause_if_full() paused.
  connection_limit(std::size_t max, std::function<void()> on_room)
      : max_(max), on_room_(std::move(on_room)) {}

  std::size_t open() const noexcept { return open_.load(); }
  /// A slot unless at the limit.
  std::optional<connection_slot> try_acquire() {
    auto open = open_.load();
    do {
      if (open >= max_) return std::nullopt;
    } while (!open_.compare_exchange_weak(open, open + 1));
    return connection_slot(*this);
  }

  /// True when at the limit; then on_room will be called once a connection closes. Rechecks
  /// after raising the flag, so that a release racing with the pause is not lost.
  bool pause_if_full() {
    if (open_.load() < max_) return false;
    waiting_.store(true);
    if (open_.load() >= max_) return true;
    if (!waiting_.exchange(false)) return true;  // a release took the flag: its on_room resumes us
    // Room came and the flag is back with us; another listener paused on it must hear of it.
    if (!stopped_.load()) on_room_();
    return false;
  }

  /// No more wake-ups (the engine is stopping).
  void stop() { stopped_.store(true); }

 private:
  friend class connection_slot;
  void release() noexcept {
    if (open_.fetch_sub(1) - 1 < max_ && waiting_.exchange(false) && !stopped_.load()) on_room_();
  }

  std::atomic<std::size_t> open_{0};
  std::size_t max_;
  std::atomic<bool> waiting_{false};
  std::atomic<bool> stopped_{false};
  std::function<void()> on_room_;
};

void connection_slot::release() noexcept {
  if (limit_) std::exchange(limit_, nullptr)->release();
}

}  // namespace engineio::detail
