// The shard's timer queue on a real io_context: order, restarts, cancels, and callbacks that
// restart or destroy timers. Delays are a few milliseconds; only the order of events is checked.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engineio/detail/timer_queue.hpp"

namespace {

using namespace std::chrono_literals;
using engineio::detail::timer;
using engineio::detail::timer_queue;

struct TimerQueue : ::testing::Test {
  boost::asio::io_context io;
  std::shared_ptr<timer_queue> queue = timer_queue::create(io.get_executor());
  std::vector<std::string> fired;

  std::unique_ptr<timer> make() { return queue->factory()(); }
  /// A callback that records `name` in `fired`.
  std::function<void()> note(std::string name) {
    return [this, name = std::move(name)] { fired.push_back(name); };
  }
  void run() {
    io.restart();
    io.run_for(2s);  // returns early once nothing is pending
  }
};

TEST_F(TimerQueue, FiresInDeadlineOrderWhateverTheStartOrder) {
  auto a = make();
  auto b = make();
  auto c = make();
  a->start(30ms, note("a"));
  b->start(10ms, note("b"));
  c->start(20ms, note("c"));
  run();
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "c", "a"}));
}

TEST_F(TimerQueue, FiresNoEarlierThanAsked) {
  auto t = make();
  auto started = timer_queue::clock::now();
  timer_queue::clock::time_point at{};
  t->start(15ms, [&] { at = timer_queue::clock::now(); });
  run();
  EXPECT_GE(at - started, 15ms);
}

TEST_F(TimerQueue, RestartReplacesThePendingExpiry) {
  auto a = make();
  auto b = make();
  a->start(5ms, note("a-first"));
  b->start(15ms, note("b"));
  a->start(25ms, note("a-second"));
  run();
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "a-second"}));
}

TEST_F(TimerQueue, AnEarlierStartWakesTheQueueSooner) {
  auto late = make();
  auto early = make();
  auto late_deadline = timer_queue::clock::now() + 1s;
  bool before_late = false;
  late->start(1s, note("late"));
  early->start(5ms, [&] {
    before_late = timer_queue::clock::now() < late_deadline;
    late->cancel();
  });
  run();
  EXPECT_TRUE(before_late);  // not held back until the wake-up armed for `late`
  EXPECT_TRUE(fired.empty());
}

TEST_F(TimerQueue, CancelledAndDestroyedTimersNeverFire) {
  auto a = make();
  auto b = make();
  auto c = make();
  a->start(5ms, note("a"));
  b->start(5ms, note("b"));
  c->start(10ms, note("c"));
  a->cancel();
  b.reset();
  run();
  EXPECT_EQ(fired, (std::vector<std::string>{"c"}));
}

TEST_F(TimerQueue, ACallbackMayRestartItsOwnTimer) {
  auto t = make();
  int count = 0;
  std::function<void()> tick = [&] {
    if (++count < 3) t->start(2ms, tick);
  };
  t->start(2ms, tick);
  run();
  EXPECT_EQ(count, 3);
}

TEST_F(TimerQueue, ACallbackMayDestroyItsOwnTimerAndOthersDueWithIt) {
  auto a = make();
  auto b = make();
  auto c = make();
  a->start(5ms, [&] {
    fired.emplace_back("a");
    a.reset();
    b.reset();
  });
  b->start(5ms, note("b"));
  c->start(5ms, note("c"));
  run();
  // Equal deadlines fire in no promised order; b fires only if it came before a.
  EXPECT_NE(std::find(fired.begin(), fired.end(), "a"), fired.end());
  EXPECT_NE(std::find(fired.begin(), fired.end(), "c"), fired.end());
  EXPECT_EQ(a, nullptr);
}

TEST_F(TimerQueue, KeepsOrderAcrossManyTimers) {
  std::vector<std::unique_ptr<timer>> timers;
  std::vector<int> order;
  // Deadlines 1..40 ms started in a scrambled order, every third one cancelled.
  for (int i = 0; i < 40; ++i) {
    int ms = (i * 17) % 40 + 1;
    timers.emplace_back(make());
    timers.back()->start(std::chrono::milliseconds(ms), [&order, ms] { order.push_back(ms); });
  }
  for (std::size_t i = 0; i < timers.size(); i += 3) timers[i]->cancel();
  run();
  EXPECT_EQ(order.size(), 26U);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
}

TEST_F(TimerQueue, TimersMayOutliveTheQueueHandle) {
  auto t = make();
  queue.reset();  // the timer keeps the queue alive
  t->start(2ms, note("t"));
  run();
  EXPECT_EQ(fired, (std::vector<std::string>{"t"}));
}

}  // namespace
