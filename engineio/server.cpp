#include "engineio/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <stdexcept>
#include <thread>

#include "engineio/detail/engine.hpp"
#include "engineio/detail/middleware_chain.hpp"
#include "engineio/log.hpp"

namespace engineio {

server::server(options opts, handler& events, unsigned threads)
    : engine_(std::make_unique<detail::engine>(std::move(opts), events, threads)) {}

server::~server() {
  stop();
}

std::uint16_t server::listen(const std::string& host, std::uint16_t port) {
  return engine_->listen(host, port, std::nullopt);
}

std::uint16_t server::listen(const std::string& host, std::uint16_t port, const tls_options& tls) {
  return engine_->listen(host, port, tls);
}

void server::listen_unix(const std::string& path) {
  engine_->listen_unix(path);
}

std::uint16_t server::port() const noexcept {
  return engine_->port();
}

void server::reload_tls() {
  engine_->reload_tls();
}

void server::attach(boost::asio::ip::tcp::socket socket, http_request_message req,
                    std::string already_read, give_back_handler give_back) {
  engine_->adopt(std::move(socket), std::move(req), std::move(already_read), std::move(give_back));
}

void server::attach(boost::asio::ip::tcp::socket socket, std::string already_read,
                    give_back_handler give_back) {
  engine_->adopt(std::move(socket), std::nullopt, std::move(already_read), std::move(give_back));
}

void server::route(std::string method, std::string path, http_handler handler) {
  engine_->routes().add_route(std::move(method), std::move(path), std::move(handler));
}

void server::mount(std::string prefix, http_handler handler) {
  engine_->routes().add_mount(std::move(prefix), std::move(handler));
}

void server::websocket(std::string path, websocket_handler handler) {
  engine_->routes().add_websocket(std::move(path), std::move(handler));
}

void server::start() {
  engine_->start();
}

void server::run(const std::function<void()>& before_stop) {
  boost::asio::io_context signals_context;
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  // Only a server with certificates to reload takes SIGHUP from its default (ending the process).
  if (engine_->serves_tls()) signals.add(SIGHUP);
  std::function<void()> wait = [&] {
    signals.async_wait([&](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal != SIGHUP) return request_stop();
      try {
        reload_tls();
        log_info("TLS certificates reloaded");
      } catch (const std::exception& e) {
        log_warning("TLS reload failed, the certificates stay as they were: {}", e.what());
      }
      wait();
    });
  };
  wait();
  std::thread signal_thread([&] { signals_context.run(); });
  start();
  {
    std::unique_lock lock(mutex_);
    stop_requested_.wait(lock, [this] { return stop_flag_; });
  }
  signals_context.stop();
  signal_thread.join();
  if (before_stop) before_stop();
  stop();
}

void server::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stop_flag_ = true;
  }
  stop_requested_.notify_all();
}

void server::stop() {
  engine_->stop();
}

void server::open_session(std::shared_ptr<transport> t, request_info request,
                          protocol_version protocol, unsigned shard) {
  engine_->open_session(std::move(t), std::move(request), protocol, shard);
}

const std::string& server::path() const noexcept {
  return engine_->opts().path;
}

void server::use(request_middleware middleware) {
  engine_->use(std::move(middleware));
}

void server::on_initial_headers(headers_listener listener) {
  engine_->on_initial_headers(std::move(listener));
}

void server::on_headers(headers_listener listener) {
  engine_->on_headers(std::move(listener));
}

void server::on_connection_error(connection_error_listener listener) {
  engine_->on_connection_error(std::move(listener));
}

std::size_t server::clients_count() const noexcept {
  return engine_->clients_count();
}

unsigned server::shard_count() const noexcept {
  return engine_->shard_count();
}

void server::post(unsigned shard, std::function<void()> task) {
  engine_->post(shard, std::move(task));
}

boost::asio::any_io_executor server::executor(unsigned shard) {
  return engine_->executor(shard);
}

std::optional<unsigned> server::current_shard() const noexcept {
  auto* here = detail::shard::current();
  if (!here || !engine_->owns(*here)) return std::nullopt;
  return here->index();
}

shard_handle server::handle(unsigned shard) {
  return {engine_->liveness(), engine_->shard_executor(shard)};
}

void shard_handle::dispatch(std::function<void()> task) const {
  std::unique_lock lock(alive_->mutex);
  if (!alive_->alive) return;
  if (executor_.running_in_this_thread()) {
    lock.unlock();
    return task();
  }
  boost::asio::post(executor_, std::move(task));
}

boost::asio::any_io_executor this_shard_executor() {
  auto* here = detail::shard::current();
  if (!here) throw std::logic_error("this_shard_executor() called outside a server thread");
  return here->executor();
}

}  // namespace engineio
