#include "socketio/server.hpp"

#include "engineio/log.hpp"
#include "socketio/client.hpp"
#include "socketio/detail/client_route.hpp"

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
  if (opts_.serve_client) detail::serve_client(engine_, opts_.path);
}

server::~server() {
  stop();
  // The adapter factory may own I/O objects on the shards' event loops (a Redis client): they
  // must go before the engine's event loops do, and opts_ would outlive the engine.
  opts_.adapter = nullptr;
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

void server::adapter(adapter_factory factory) {
  std::lock_guard lock(namespaces_mutex_);
  opts_.adapter = std::move(factory);
  for (auto& [name, nsp] : namespaces_) {
    if (!nsp->is_dynamic_parent()) nsp->init_adapter(opts_.adapter);
  }
}

namespace_& server::of(std::string_view name) {
  // Appended rather than "/" + name: GCC 12 at -O3 warns falsely (-Wrestrict) on the latter.
  std::string key;
  key.reserve(name.size() + 1);
  if (name.empty() || name.front() != '/') key += '/';
  key += name;
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

namespace_& server::of(const std::regex& pattern) {
  return of([pattern](std::string_view name, const value&) {
    return std::regex_match(name.begin(), name.end(), pattern);
  });
}

namespace_& server::of(namespace_matcher matcher) {
  std::lock_guard lock(namespaces_mutex_);
  // Node names parents "/_0", "/_1", ...; they are never joined directly.
  auto name = "/_" + std::to_string(parents_.size());
  auto parent = std::make_unique<namespace_>(
      *this, name, [](namespace_& nsp) { return std::make_unique<parent_adapter>(nsp); });
  auto& ref = *parent;
  parents_.push_back(
      {std::make_shared<const namespace_matcher>(std::move(matcher)), std::move(parent)});
  return ref;
}

namespace_* server::match_dynamic(const std::string& name, const value& auth) {
  if (name.size() > opts_.max_namespace_length) return nullptr;
  // Matchers are user code: they run unlocked, as one may call of() or find(), and a slow one
  // must not hold up CONNECTs on the other shards.
  std::vector<std::pair<std::shared_ptr<const namespace_matcher>, namespace_*>> parents;
  {
    std::lock_guard lock(namespaces_mutex_);
    for (const auto& parent : parents_) parents.emplace_back(parent.matcher, parent.nsp.get());
  }
  for (const auto& [matcher, parent] : parents) {
    bool accepted = false;
    const auto& match = *matcher;  // a lambda may not capture a structured binding (Clang 14)
    engineio::guarded("namespace matcher", [&] { accepted = match(name, auth); });
    if (!accepted) continue;
    std::lock_guard lock(namespaces_mutex_);
    if (auto it = namespaces_.find(name); it != namespaces_.end())
      return it->second.get();  // created meanwhile
    if (dynamic_children_ >= opts_.max_dynamic_namespaces) return nullptr;
    ++dynamic_children_;
    auto child = std::make_unique<namespace_>(*this, name);
    child->inherit(*parent);
    static_cast<parent_adapter&>(parent->adapter()).add_child(*child);
    return namespaces_.emplace(name, std::move(child)).first->second.get();
  }
  return nullptr;
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

void server::on_upgrade(engineio::session& s) {
  client_of(s).on_upgrade();
}

void server::on_close(engineio::session& s, engineio::close_reason reason) {
  client_of(s).on_engine_close(reason);
}

}  // namespace socketio
