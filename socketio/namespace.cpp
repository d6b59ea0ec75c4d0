#include "socketio/namespace.hpp"

#include "socketio/server.hpp"

namespace socketio {

namespace_::namespace_(server& owner, std::string name, unsigned shards)
    : server_(owner), name_(std::move(name)), rooms_(shards) {
  if (const auto& recovery = owner.options().connection_state_recovery) {
    recovery_ = std::make_unique<detail::session_store>(recovery->max_disconnection_duration);
  }
}

void namespace_::each_shard(std::function<void(room_index&)> fn) {
  auto& engine = server_.engine();
  auto here = engine.current_shard();
  auto shared = std::make_shared<std::function<void(room_index&)>>(std::move(fn));
  // One post per other shard, whatever the number of recipients; this shard's part runs inline.
  for (unsigned i = 0; i < engine.shard_count(); ++i) {
    if (here == i) continue;
    engine.post(i, [this, i, shared] { (*shared)(rooms_[i]); });
  }
  if (here) (*shared)(rooms_[*here]);
}

}  // namespace socketio
