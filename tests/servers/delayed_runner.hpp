#pragma once
// A thread of its own that runs work after a delay, as a user's auth or database lookup would
// answer a hook: from another thread, a little later. Declare it before the server, so it
// stops after the server does.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace sio_test {

class delayed_runner {
 public:
  delayed_runner() : thread_([this] { context_.run(); }) {}
  delayed_runner(const delayed_runner&) = delete;
  delayed_runner& operator=(const delayed_runner&) = delete;
  ~delayed_runner() {
    work_.reset();
    context_.stop();
    thread_.join();
  }

  void later(std::chrono::milliseconds delay, std::function<void()> f) {
    auto timer = std::make_shared<boost::asio::steady_timer>(context_, delay);
    timer->async_wait([timer, f = std::move(f)](boost::system::error_code) { f(); });
  }

 private:
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      context_.get_executor()};
  std::thread thread_;
};

}  // namespace sio_test
