#pragma once
// The timers a shard hands to its sessions and transports.

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engineio/detail/timer.hpp"

namespace engineio::detail {

/// The timers of one event loop (a shard), kept in a heap ordered by deadline behind a single
/// Asio timer. Every session has a heartbeat pending for its whole life; as an Asio timer with
/// its wait that costs about 400 bytes, as an entry here under 100. Use it, and its timers, on
/// its executor's thread only.
class timer_queue : public std::enable_shared_from_this<timer_queue> {
 public:
  using clock = std::chrono::steady_clock;

  static std::shared_ptr<timer_queue> create(const boost::asio::any_io_executor& executor);
  /// Hands out timers of this queue; each keeps the queue alive.
  timer_factory factory();

  timer_queue(const timer_queue&) = delete;
  timer_queue& operator=(const timer_queue&) = delete;
  ~timer_queue() = default;

 private:
  class entry;
  explicit timer_queue(const boost::asio::any_io_executor& executor);

  void schedule(entry& e, clock::time_point deadline);
  void remove(entry& e);
  void place(entry& e, std::size_t slot);
  bool sift_up(std::size_t slot);
  void sift_down(std::size_t slot);
  /// Makes the Asio timer wake up for the earliest deadline.
  void arm();
  void fire();

  boost::asio::steady_timer timer_;
  std::vector<entry*> heap_;  // a binary min-heap on the entries' deadlines
  clock::time_point armed_for_{};
  bool waiting_ = false;  // the Asio timer has a wait pending, for armed_for_
  bool firing_ = false;
};

}  // namespace engineio::detail
