#include "engineio/detail/engine.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <thread>

namespace engineio::detail {

using namespace std::chrono_literals;

engine::engine(options opts, handler& events, unsigned threads)
    : opts_(std::make_shared<const options>(std::move(opts))), events_(events) {
  for (unsigned i = 0; i < std::max(threads, 1u); ++i)
    shards_.push_back(std::make_unique<shard>(i));
}

engine::~engine() {
  stop();
}

void engine::listen(const std::string& host, std::uint16_t port) {
  auto& ctx = shards_.front()->context();
  tcp::endpoint endpoint{asio::ip::make_address(host), port};
  acceptor_.emplace(ctx);
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::socket_base::reuse_address(true));
  acceptor_->bind(endpoint);
  acceptor_->listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_->local_endpoint().port();
}

void engine::start() {
  if (started_) return;
  started_ = true;
  if (acceptor_) asio::post(shards_.front()->context(), [this] { do_accept(); });
  for (auto& s : shards_) s->start();
}

// One acceptor; connections are dealt round-robin to the shards, which keep them for life.
void engine::do_accept() {
  auto& target = *shards_[next_shard_++ % shards_.size()];
  acceptor_->async_accept(
      target.context(), [this, &target](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
        if (!ec) {
          socket.set_option(tcp::no_delay(true), ec);
          std::make_shared<http_connection>(std::move(socket), *this, target)->start();
        }
        do_accept();
      });
}

void engine::post(unsigned shard, std::function<void()> task) {
  asio::post(shards_.at(shard)->context(), std::move(task));
}

void engine::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    asio::post(shards_.front()->context(), [this] {
      beast::error_code ec;
      if (acceptor_) acceptor_->close(ec);
    });
    // Node's engine.close(): every session is closed; give the close packets a moment to leave.
    for (auto& s : shards_) {
      asio::post(s->context(), [&owner = *s] {
        auto sessions = owner.sessions();
        for (auto& [id, session] : sessions) session->close(/*discard=*/true);
        owner.close_peers();
      });
    }
    for (int i = 0; i < 50 && clients_.load() > 0; ++i) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(20ms);
  }
  for (auto& s : shards_) s->stop_and_join();
}

}  // namespace engineio::detail
