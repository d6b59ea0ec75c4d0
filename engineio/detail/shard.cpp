#include "engineio/detail/shard.hpp"

namespace engineio::detail {

namespace {
thread_local shard* current_shard = nullptr;
}

shard* shard::current() noexcept {
  return current_shard;
}

void shard::start() {
  thread_ = std::thread([this] {
    current_shard = this;
    context_.run();
  });
}

void shard::stop_and_join() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace engineio::detail
