#pragma once
// A restartable one-shot timer. Sessions take timers through this seam so that tests can drive
// heartbeats with a manual clock instead of waiting.

#include <chrono>
#include <functional>
#include <memory>

namespace engineio::detail {

class timer {
 public:
  virtual ~timer() = default;
  /// Arms the timer, replacing any pending expiry; `fn` runs on the owner's thread.
  virtual void start(std::chrono::milliseconds after, std::function<void()> fn) = 0;
  virtual void cancel() = 0;
};

using timer_factory = std::function<std::unique_ptr<timer>()>;

}  // namespace engineio::detail
