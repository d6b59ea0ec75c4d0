#pragma once
// A clock that moves only when the test says so, handing out timers for engineio::session.

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "engineio/detail/timer.hpp"

namespace sio_test {

class manual_clock {
 public:
  using ms = std::chrono::milliseconds;

  engineio::detail::timer_factory factory() {
    return [this] { return std::make_unique<manual_timer>(*this); };
  }

  /// Moves time forward, firing every timer that falls due, in order.
  void advance(ms by) {
    auto until = now_ + by;
    while (true) {
      manual_timer* next = nullptr;
      for (auto* t : timers_) {
        if (t->armed_ && t->due_ <= until && (!next || t->due_ < next->due_)) next = t;
      }
      if (!next) break;
      now_ = next->due_;
      next->armed_ = false;
      auto fn = std::move(next->fn_);
      fn();
    }
    now_ = until;
  }

 private:
  class manual_timer final : public engineio::detail::timer {
   public:
    explicit manual_timer(manual_clock& clock) : clock_(clock) { clock_.timers_.push_back(this); }
    ~manual_timer() override { std::erase(clock_.timers_, this); }
    void start(ms after, std::function<void()> fn) override {
      due_ = clock_.now_ + after;
      fn_ = std::move(fn);
      armed_ = true;
    }
    void cancel() override { armed_ = false; }

    manual_clock& clock_;
    ms due_{0};
    std::function<void()> fn_;
    bool armed_ = false;
  };

  ms now_{0};
  std::vector<manual_timer*> timers_;
};

}  // namespace sio_test
