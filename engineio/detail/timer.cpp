#include "engineio/detail/timer.hpp"

#include <boost/asio/steady_timer.hpp>

#include "engineio/detail/exact_allocator.hpp"

namespace engineio::detail {
namespace {

class asio_timer final : public timer {
 public:
  explicit asio_timer(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  void start(std::chrono::milliseconds after, std::function<void()> fn) override {
    timer_.expires_after(after);
    // The generation tells a stale completion (expired just before a restart) from the
    // current one. A cancelled wait completes with an error and touches nothing, so it is
    // safe even after this timer is gone.
    timer_.async_wait(exactly_sized(
        [this, gen = ++generation_, fn = std::move(fn)](boost::system::error_code ec) {
          if (ec || gen != generation_) return;
          fn();
        }));
  }

  void cancel() override {
    ++generation_;
    timer_.cancel();
  }

 private:
  boost::asio::steady_timer timer_;
  unsigned long generation_ = 0;
};

}  // namespace

timer_factory asio_timer_factory(const boost::asio::any_io_executor& executor) {
  return [executor] { return std::make_unique<asio_timer>(executor); };
}

}  // namespace engineio::detail
