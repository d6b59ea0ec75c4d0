#include "socketio/server.hpp"

#include "socketio/client.hpp"

namespace socketio {
namespace {

server_options with_engine_path(server_options opts) {
  opts.engine.path = opts.path;
  return opts;
}

client& client_of(engineio::session& s) {
  return *static_cast<client*>(s.attachment());
}

}  // namespace

server::server(server_options opts)
    : opts_(with_engine_path(std::move(opts))), engine_(opts_.engine, *this, opts_.threads) {
  of("/");
}

server::~server() {
  stop();
}

void server::run() {
  engine_.run([this] { disconnect_all_sockets(); });
}

void server::stop() {
  disconnect_all_sockets();
  engine_.stop();
}

// Node's io.close(): each socket is closed with "server shutting down" before the engine closes.
void server::disconnect_all_sockets() {
  if (shutting_down_.exchange(true)) return;
  std::lock_guard lock(namespaces_mutex_);
  for (auto& [name, nsp] : namespaces_) {
    nsp->adapter().each_local_socket(
        [](socket& s) { s.on_close(disconnect_reason::server_shutting_down); });
  }
}

namespace_& server::of(std::string_view name) {
  std::string key =
      name.empty() || name.front() != '/' ? "/" + std::string(name) : std::string(name);
  std::lock_guard lock(namespaces_mutex_);
  auto it = namespaces_.find(key);
  if (it == namespaces_.end()) {
    it = namespaces_.emplace(key, std::make_unique<namespace_>(*this, key)).first;
  }
  return *it->second;
}

namespace_* server::find(std::string_view name) {
  std::lock_guard lock(namespaces_mutex_);
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second.get();
}

void server::on_open(engineio::session& s) {
  auto c = std::make_shared<client>(*this, s);
  s.set_attachment(c);
  c->start();
}

void server::on_message(engineio::session& s, std::string_view text) {
  client_of(s).on_message(text);
}

void server::on_binary(engineio::session& s, std::string_view bytes) {
  client_of(s).on_binary(bytes);
}

void server::on_close(engineio::session& s, engineio::close_reason reason) {
  client_of(s).on_engine_close(reason);
}

}  // namespace socketio
