#pragma once
// Callbacks from the Redis client that may outlive their adapter: unsubscribing is asynchronous,
// so a message can still come in after the adapter is gone (a dynamic namespace's child removed
// while the cluster talks to it, or the server destroyed), and so can a reply to a command. A
// callback holds its namespace for as long as it runs and is skipped once nobody else holds it;
// `close()`, from the adapter's destructor, waits for one that is running and stops the rest.

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "socketio/redis/pubsub.hpp"

namespace socketio::redis::detail {

class handler_guard {
 public:
  handler_guard() = default;
  handler_guard(const handler_guard&) = delete;
  handler_guard& operator=(const handler_guard&) = delete;
  ~handler_guard() { close(); }

  /// `callback`, run only until close() and while `owner` (shared-owned) is alive.
  template <typename Owner, typename Callback>
  auto wrap(const Owner& owner, Callback callback) const {
    return [state = state_, &owner, callback = std::move(callback)](auto&&... args) mutable {
      // Declared before the lock, released after it: if this is the last reference, the owner
      // (and this guard's adapter) may be destroyed here, which closes the guard.
      std::shared_ptr<const Owner> keep;
      std::lock_guard lock(state->mutex);
      if (!state->open || !(keep = owner.weak_from_this().lock())) return;
      callback(std::forward<decltype(args)>(args)...);
    };
  }

  void close() {
    std::lock_guard lock(state_->mutex);
    state_->open = false;
  }

 private:
  struct state {
    std::mutex mutex;
    bool open = true;
  };
  std::shared_ptr<state> state_ = std::make_shared<state>();
};

}  // namespace socketio::redis::detail
