#include "socketio/server.hpp"

#include <boost/asio/post.hpp>

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
  if (opts_.serve_client) {
    // As Node: the bundle is at <path without its trailing slash>/socket.io.js, whatever the
    // engine's add_trailing_slash.
    auto base = engine_.path();
    if (!base.ends_with('/')) base += '/';
    detail::serve_client(engine_, base);
  }
}

server::~server() {
  stop();
  // Adapters and their factory may own I/O objects on the shards' event loops (a Redis client):
  // they must go before the engine's event loops do. Sockets and broadcast operators still in
  // those loops may keep a namespace alive past this point: detached, it no longer calls back.
  // Each is held while it is detached (no other thread can free it meanwhile), and the adapters
  // go outside the lock, as callbacks they keep may release the last socket of a namespace.
  std::vector<std::shared_ptr<namespace_>> held;
  std::vector<namespace_*> queued;  // retiring, their deletion queued on the stopped shard 0
  {
    std::lock_guard lock(namespaces_mutex_);
    for (auto& [name, nsp] : namespaces_) held.push_back(nsp);
    for (auto& parent : parents_) held.push_back(parent.nsp);
    for (auto* nsp : retiring_) {
      if (auto strong = nsp->weak_from_this().lock()) {
        held.push_back(std::move(strong));
      } else {
        queued.push_back(nsp);
      }
    }
  }
  for (auto& nsp : held) nsp->detach();
  for (auto* nsp : queued) nsp->detach();
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
        [](socket& s) { s.finish(disconnect_reason::server_shutting_down, {}); });
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
  {
    std::lock_guard lock(namespaces_mutex_);
    if (auto it = namespaces_.find(key); it != namespaces_.end()) {
      it->second->pinned_ = true;  // the application holds a reference from now on
      return *it->second;
    }
  }
  // As Node: a name a regex parent matches becomes its child (a matcher function is not asked).
  namespace_* parent = nullptr;
  for (const auto& [pattern, candidate] : regex_parents()) {
    if (std::regex_search(key, *pattern)) {
      parent = candidate;
      break;
    }
  }
  return *create(key, parent, purpose::application);
}

std::vector<std::pair<std::shared_ptr<const std::regex>, namespace_*>> server::regex_parents() {
  std::vector<std::pair<std::shared_ptr<const std::regex>, namespace_*>> out;
  std::lock_guard lock(namespaces_mutex_);
  for (const auto& parent : parents_) {
    if (parent.pattern) out.emplace_back(parent.pattern, parent.nsp.get());
  }
  return out;
}

// The new_namespace handlers may configure the namespace (middlewares, handlers) before any
// CONNECT can reach it, as in Node, where they run synchronously: it is published after them,
// with the server's adapter. When another thread published the name meanwhile, that namespace
// is the one, and this one, never reachable and without a cluster adapter, is dropped.
std::shared_ptr<namespace_> server::create(const std::string& name, namespace_* parent,
                                           purpose why) {
  auto made = make_namespace(name);
  if (parent) {
    made->inherit(*parent);
    made->parent_ = parent;
  }
  if (name != "/") announce(*made);
  std::lock_guard lock(namespaces_mutex_);
  auto it = namespaces_.find(name);
  if (it == namespaces_.end()) {
    if (parent && why == purpose::connect && dynamic_children_ >= opts_.max_dynamic_namespaces) {
      return nullptr;
    }
    it = namespaces_.emplace(name, made).first;
    if (opts_.adapter) made->init_adapter(opts_.adapter);
    if (parent) {
      ++dynamic_children_;
      static_cast<parent_adapter&>(parent->adapter()).add_child(made);
    }
  }
  if (why == purpose::application) it->second->pinned_ = true;
  if (why == purpose::connect) ++it->second->members_;
  return it->second;
}

void server::on_new_namespace(std::function<void(namespace_&)> handler) {
  std::lock_guard lock(namespaces_mutex_);
  new_namespace_handlers_.push_back(std::move(handler));
}

void server::announce(namespace_& created) {
  std::vector<std::function<void(namespace_&)>> handlers;
  {
    std::lock_guard lock(namespaces_mutex_);
    handlers = new_namespace_handlers_;
  }
  for (const auto& handler : handlers) {
    engineio::guarded("new_namespace handler", [&] { handler(created); });
  }
}

// The last reference to a namespace may go anywhere, even inside a walk over its own sockets or
// a Redis message for its adapter: the memory goes on a later turn of shard 0. Once detached,
// the shards are stopped and the server may be gone: then it goes at once, without the server.
std::shared_ptr<namespace_> server::make_namespace(std::string name, const adapter_factory& f) {
  return {new namespace_(*this, std::move(name), f), [this](namespace_* nsp) {
            if (nsp->detached_) {
              delete nsp;
              return;
            }
            boost::asio::post(engine_.executor(0),
                              [this, doomed = std::unique_ptr<namespace_>(nsp)] {
                                std::lock_guard lock(namespaces_mutex_);
                                retiring_.erase(doomed.get());
                              });
          }};
}

std::shared_ptr<namespace_> server::find(std::string_view name) {
  std::lock_guard lock(namespaces_mutex_);
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second;
}

namespace_& server::of(const std::regex& pattern) {
  // Node tests a name with RegExp.test: anywhere in it, unless the pattern is anchored.
  auto shared = std::make_shared<const std::regex>(pattern);
  return add_parent(
      [shared](const std::string& name, const value&, const namespace_next& next) {
        next(std::regex_search(name, *shared));
      },
      shared);
}

namespace_& server::of(namespace_matcher matcher) {
  return add_parent(
      [matcher = std::move(matcher)](const std::string& name, const value& auth,
                                     const namespace_next& next) { next(matcher(name, auth)); },
      nullptr);
}

namespace_& server::of(async_namespace_matcher matcher) {
  return add_parent(std::move(matcher), nullptr);
}

namespace_& server::add_parent(async_namespace_matcher matcher,
                               std::shared_ptr<const std::regex> pattern) {
  std::lock_guard lock(namespaces_mutex_);
  // Node names parents "/_0", "/_1", ...; they are never joined directly.
  auto name = "/_" + std::to_string(parents_.size());
  auto parent =
      make_namespace(name, [](namespace_& nsp) { return std::make_unique<parent_adapter>(nsp); });
  parents_.push_back({std::make_shared<const async_namespace_matcher>(std::move(matcher)),
                      std::move(pattern), parent});
  return *parent;
}

// One CONNECT asking the dynamic parents in turn, as Node's _checkNamespace. Matchers are user
// code: they run unlocked, as one may call of() or find(), and a slow one must not hold up
// CONNECTs on the other shards. Each answer comes back to the client's shard, so the child is
// made and announced there.
struct server::matching : std::enable_shared_from_this<matching> {
  matching(server& io, std::string name, value auth, unsigned home, entered done)
      : io(io),
        name(std::move(name)),
        auth(std::move(auth)),
        home(io.engine().handle(home)),
        done(std::move(done)) {}

  server& io;  // used on the shard only, while the handle says the server is there
  std::string name;
  value auth;
  engineio::shard_handle home;
  entered done;
  std::vector<std::pair<std::shared_ptr<const async_namespace_matcher>, namespace_*>> parents{};

  void ask(std::size_t index) {
    if (index == parents.size()) return done(nullptr);
    auto answered = std::make_shared<std::atomic<bool>>(false);
    namespace_next next = [self = shared_from_this(), index, answered](bool accepted) {
      if (answered->exchange(true)) return;  // a second answer is ignored
      self->home.dispatch([self, index, accepted] {
        if (accepted) return self->accept(index);
        self->ask(index + 1);
      });
    };
    const auto& match = *parents[index].first;
    try {
      match(name, auth, next);
    } catch (const std::exception& e) {
      engineio::log_warning("namespace matcher threw: {}", e.what());
      next(false);
    } catch (...) {
      engineio::log_warning("namespace matcher threw");
      next(false);
    }
  }

  // Another CONNECT may have made the child while this one waited (Node looks again too): it is
  // joined, not made and announced a second time.
  void accept(std::size_t index) {
    if (auto existing = io.join_existing(name)) return done(std::move(existing));
    done(io.create(name, parents[index].second, purpose::connect));
  }
};

std::shared_ptr<namespace_> server::join_existing(const std::string& name) {
  std::lock_guard lock(namespaces_mutex_);
  auto it = namespaces_.find(name);
  if (it == namespaces_.end()) return nullptr;
  ++it->second->members_;
  return it->second;
}

void server::enter(const std::string& name, const value& auth, unsigned home, entered done) {
  if (auto existing = join_existing(name)) return done(std::move(existing));
  if (name.size() > opts_.max_namespace_length) return done(nullptr);
  auto run = std::make_shared<matching>(*this, name, auth, home, std::move(done));
  {
    std::lock_guard lock(namespaces_mutex_);
    for (const auto& p : parents_) run->parents.emplace_back(p.matcher, p.nsp.get());
  }
  run->ask(0);
}

void server::leave(namespace_& nsp, bool connected) {
  std::lock_guard lock(namespaces_mutex_);
  nsp.established_ = nsp.established_ || connected;
  if (--nsp.members_ > 0 || !nsp.parent_ || nsp.pinned_) return;
  if (nsp.established_ && !opts_.cleanup_empty_child_namespaces) return;
  // The caller's socket still holds `nsp`: its memory goes later, when the last holder lets go.
  static_cast<parent_adapter&>(nsp.parent_->adapter()).remove_child(nsp);
  retiring_.insert(&nsp);
  namespaces_.erase(nsp.name());
  --dynamic_children_;
}

void server::on_open(engineio::session& s) {
  auto c = std::make_shared<client>(*this, s);
  s.set_attachment(c);
  c->start();
}

void server::on_message(engineio::session& s, std::string_view text) {
  client_of(s).receive_text(text);
}

void server::on_binary(engineio::session& s, std::string_view bytes) {
  client_of(s).receive_binary(bytes);
}

void server::on_upgrade(engineio::session& s) {
  client_of(s).notify_upgrade();
}

void server::on_close(engineio::session& s, engineio::close_reason reason) {
  client_of(s).engine_closed(reason);
}

}  // namespace socketio
