#pragma once
// One event loop on one thread, owning the sessions whose connection it accepted. Everything a
// shard owns is touched only on its thread; other threads post to it.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "engineio/detail/timer_queue.hpp"
#include "engineio/detail/websocket_peer.hpp"
#include "engineio/session.hpp"

namespace engineio::detail {

class shard {
 public:
  explicit shard(unsigned index) : index_(index) {}

  unsigned index() const noexcept { return index_; }
  boost::asio::io_context& context() noexcept { return context_; }
  boost::asio::any_io_executor executor() { return context_.get_executor(); }
  bool running_here() noexcept { return context_.get_executor().running_in_this_thread(); }
  /// The shard whose thread is calling, or nullptr on any other thread.
  static shard* current() noexcept;

  void start();
  void stop_and_join();

  /// Timers on this shard's loop, all behind one Asio timer.
  timer_factory timers() { return timers_->factory(); }

  /// Sessions living on this shard, by sid.
  std::unordered_map<std::string, std::shared_ptr<session>>& sessions() noexcept {
    return sessions_;
  }

  /// Raw WebSocket peers on this shard, held until they close.
  void add_peer(const std::shared_ptr<websocket_peer_impl>& peer);
  /// Closes every raw WebSocket peer (1001, going away), as the server stops.
  void close_peers();

 private:
  unsigned index_;
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      context_.get_executor()};
  std::shared_ptr<timer_queue> timers_ = timer_queue::create(context_.get_executor());
  std::thread thread_;
  std::unordered_map<std::string, std::shared_ptr<session>> sessions_;
  std::unordered_map<const websocket_peer_impl*, std::shared_ptr<websocket_peer_impl>> peers_;
};

}  // namespace engineio::detail
