#include "engineio/detail/shard.hpp"

namespace engineio::detail {

void shard::start() {
  thread_ = std::thread([this] { context_.run(); });
}

void shard::stop_and_join() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace engineio::detail
