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

void shard::add_peer(const std::shared_ptr<websocket_peer_impl>& peer) {
  peers_.emplace(peer.get(), peer);
  peer->on_finished([this](const websocket_peer_impl& p) { peers_.erase(&p); });
}

void shard::close_peers() {
  for (auto& [ptr, peer] : peers_) peer->close(1001);
}

}  // namespace engineio::detail
