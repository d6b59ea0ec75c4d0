#pragma once
// Subscription handlers that may outlive their adapter: unsubscribing is asynchronous, so a
// message can still come in after the adapter is gone (a dynamic namespace's child removed while
// the cluster talks to it). A handler holds its namespace for as long as it runs and is skipped
// once nobody else holds it; `close()`, from the adapter's destructor, waits for a handler that
// is running and stops the rest.

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

  /// `handler`, run only until close() and while `owner` (shared-owned) is alive.
  template <typename Owner, typename Handler>
  message_handler wrap(const Owner& owner, Handler handler) const {
    return [state = state_, &owner, handler = std::move(handler)](const std::string& channel,
                                                                  const std::string& payload) {
      std::lock_guard lock(state->mutex);
      if (!state->open) return;
      if (auto keep = owner.weak_from_this().lock()) handler(channel, payload);
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
