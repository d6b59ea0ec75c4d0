#include "socketio/namespace.hpp"

#include "engineio/log.hpp"
#include "socketio/server.hpp"

namespace socketio {

namespace_::namespace_(server& owner, std::string name, const adapter_factory& make_adapter)
    : server_(owner), name_(std::move(name)) {
  const auto& factory = make_adapter ? make_adapter : owner.options().adapter;
  adapter_ = factory ? factory(*this) : std::make_unique<class adapter>(*this);
  if (const auto& recovery = owner.options().connection_state_recovery) {
    recovery_ = std::make_unique<detail::session_store>(recovery->max_disconnection_duration);
  }
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

}  // namespace socketio
