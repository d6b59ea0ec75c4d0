#include "engineio/detail/timer.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "engineio/detail/exact_allocator.hpp"

namespace engineio::detail {
namespace {

class asio_timer final : public timer {
 public:
  explicit asio_timer(const boost::asio::any_io_executor& executor) : timer_(executor) {}
  ~asio_timer() override { ++*generation_; }
  asio_timer(const asio_timer&) = delete;
  asio_timer& operator=(const asio_timer&) = delete;

  void start(std::chrono::milliseconds after, std::function<void()> fn) override {
    timer_.expires_after(after);
    // The generation tells a stale completion from the current one: a wait that expired just
    // before a restart, a cancel or the timer's destruction is already queued and cannot be
    // cancelled any more. The handler shares the counter, so it may outlive this timer.
    timer_.async_wait(exactly_sized([generation = generation_, gen = ++*generation_,
                                     fn = std::move(fn)](boost::system::error_code ec) {
      if (ec || gen != *generation) return;
      fn();
    }));
  }

  void cancel() override {
    ++*generation_;
    timer_.cancel();
  }

 private:
  boost::asio::steady_timer timer_;
  std::shared_ptr<unsigned long> generation_ = std::make_shared<unsigned long>(0);
};

}  // namespace

timer_factory asio_timer_factory(const boost::asio::any_io_executor& executor) {
  return [executor] { return std::make_unique<asio_timer>(executor); };
}

}  // namespace engineio::detail
