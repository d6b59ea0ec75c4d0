#include "socketio/namespace.hpp"

#include "engineio/log.hpp"
#include "socketio/detail/session_store.hpp"
#include "socketio/server.hpp"

namespace socketio {

namespace_::namespace_(server& owner, std::string name, const adapter_factory& make_adapter)
    : server_(owner), name_(std::move(name)), dynamic_parent_(static_cast<bool>(make_adapter)) {
  init_adapter(make_adapter);  // the server's own comes when it publishes the namespace
  if (const auto& recovery = owner.options().connection_state_recovery) {
    recovery_ = std::make_unique<detail::session_store>(
        recovery->max_disconnection_duration,
        detail::session_store::limits{recovery->max_stored_event_bytes,
                                      recovery->max_persisted_sessions});
  }
}

namespace_::~namespace_() = default;

namespace {

template <typename T>
std::shared_ptr<const std::vector<T>> with(const std::shared_ptr<const std::vector<T>>& list,
                                           T item) {
  auto longer = std::make_shared<std::vector<T>>(*list);
  longer->push_back(std::move(item));
  return longer;
}

}  // namespace

void namespace_::use(middleware m) {
  std::lock_guard lock(lists_mutex_);
  middlewares_ = with(middlewares_, std::move(m));
}

listener_id namespace_::on_connection(connection_handler h) {
  std::lock_guard lock(lists_mutex_);
  auto id = next_connection_id_++;
  connection_handlers_ = with(connection_handlers_, connection_entry{id, std::move(h)});
  return id;
}

void namespace_::off_connection(listener_id id) {
  std::lock_guard lock(lists_mutex_);
  auto fewer = std::make_shared<std::vector<connection_entry>>(*connection_handlers_);
  std::erase_if(*fewer, [id](const connection_entry& e) { return e.id == id; });
  connection_handlers_ = std::move(fewer);
}

void namespace_::inherit(const namespace_& parent) {
  std::scoped_lock lock(lists_mutex_, parent.lists_mutex_);
  middlewares_ = parent.middlewares_;
  connection_handlers_ = parent.connection_handlers_;
  next_connection_id_ = parent.next_connection_id_;
}

namespace_::middleware_list namespace_::middlewares() const {
  std::lock_guard lock(lists_mutex_);
  return middlewares_;
}

namespace_::handler_list namespace_::connection_handlers() const {
  std::lock_guard lock(lists_mutex_);
  return connection_handlers_;
}

void namespace_::release(bool connected) {
  if (!detached_) server_.leave(*this, connected);  // detached: the server may be gone
}

void namespace_::all_sockets(
    std::function<void(std::set<std::string> ids, std::optional<std::string> error)> done) {
  fetch_sockets([done = std::move(done)](fetch_result r) {
    std::set<std::string> ids;
    for (const auto& s : r.sockets) ids.insert(s.id());
    done(std::move(ids), std::move(r.error));
  });
}

void namespace_::server_side_emit(std::string_view event, args values,
                                  std::function<void(ack_result)> ack) {
  // Node's reserved names for server-side events.
  if (event == "connect" || event == "connection" || event == "new_namespace") {
    engineio::log_warning("\"{}\" is a reserved event name", event);
    return;
  }
  values.insert(values.begin(), value(event));
  adapter_->server_side_emit(values, std::move(ack));
}

void namespace_::init_adapter(const adapter_factory& make_adapter) {
  adapter_.reset();  // a cluster adapter leaves the cluster before its successor joins
  adapter_ = make_adapter ? make_adapter(*this) : std::make_unique<class adapter>(*this);
}

void namespace_::deliver_server_event(const args& values, server_reply reply) {
  if (values.empty() || !values[0].is_string()) return;
  auto it = server_events_.find(values[0].as_string());
  if (it == server_events_.end()) return;
  if (reply) {
    reply = [once = std::make_shared<std::atomic<bool>>(false), reply](value v) {
      if (!once->exchange(true)) reply(std::move(v));
    };
  }
  const args rest(values.begin() + 1, values.end());
  for (const auto& handler : it->second) {
    engineio::guarded("server event handler", [&] { handler(rest, reply); });
  }
}

}  // namespace socketio
