#include "socketio/adapter.hpp"

#include <boost/asio/post.hpp>

#include <mutex>
#include <utility>

#include "engineio/log.hpp"
#include "socketio/broadcast_operator.hpp"
#include "socketio/client.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace socketio {
namespace {

// Sockets matching `opts` on one shard, collected first so the action may change the rooms.
std::vector<std::shared_ptr<socket>> matching(room_index& index, const broadcast_options& opts) {
  std::vector<std::shared_ptr<socket>> out;
  index.for_each(opts, [&](socket& s) { out.push_back(s.shared_from_this()); });
  return out;
}

// Collects one part per shard and hands the whole to `done` on `home` once every shard answered.
template <typename Whole, typename Part>
class gather : public std::enable_shared_from_this<gather<Whole, Part>> {
 public:
  gather(unsigned parts, boost::asio::any_io_executor home, std::function<void(Whole)> done,
         std::function<void(Whole&, Part)> merge)
      : left_(parts), home_(std::move(home)), done_(std::move(done)), merge_(std::move(merge)) {}

  void add(Part part) {
    std::lock_guard lock(mutex_);
    merge_(whole_, std::move(part));
    if (--left_ > 0) return;
    boost::asio::post(home_, [self = this->shared_from_this()] {
      engineio::guarded("adapter callback", [&] { self->done_(std::move(self->whole_)); });
    });
  }

 private:
  std::mutex mutex_;
  unsigned left_;
  Whole whole_{};
  boost::asio::any_io_executor home_;
  std::function<void(Whole)> done_;
  std::function<void(Whole&, Part)> merge_;
};

}  // namespace

// ---- remote_socket ----

remote_socket::remote_socket(namespace_& nsp, std::string id, struct handshake hs,
                             std::set<room> rooms, value data)
    : nsp_(nsp.shared_from_this()),
      id_(std::move(id)),
      handshake_(std::move(hs)),
      rooms_(std::move(rooms)),
      data_(std::move(data)) {}

// Node's RemoteSocket acts through a broadcast to the socket's own room.
void remote_socket::emit_args(std::string_view event, args values) const {
  nsp_->to(id_).emit_args(event, std::move(values));
}
broadcast_operator remote_socket::timeout(std::chrono::milliseconds ms) const {
  return nsp_->to(id_).timeout(ms);
}
void remote_socket::join(const room& r) const {
  nsp_->to(id_).sockets_join({r});
}
void remote_socket::leave(const room& r) const {
  nsp_->to(id_).sockets_leave({r});
}
void remote_socket::disconnect(bool close) const {
  nsp_->to(id_).disconnect_sockets(close);
}

// ---- adapter ----

adapter::adapter(namespace_& nsp) : nsp_(nsp), rooms_(nsp.owner().engine().shard_count()) {}

void adapter::add_all(socket& s, const std::vector<room>& rooms) {
  auto& index = rooms_.at(s.shard());
  std::vector<room> created;
  for (const auto& r : rooms) {
    if (!index.has_room(r)) created.push_back(r);
  }
  index.add_all(s, rooms);
  for (const auto& r : created) room_created(r, r == s.id());
  if (reports_rooms()) report_rooms(s.id(), rooms, created, true);
}

void adapter::del(socket& s, const room& r) {
  auto& index = rooms_.at(s.shard());
  bool existed = index.has_room(r);
  index.del(s, r);
  bool deleted = existed && !index.has_room(r);
  if (deleted) room_deleted(r, r == s.id());
  if (reports_rooms())
    report_rooms(s.id(), {r}, deleted ? std::vector{r} : std::vector<room>{}, false);
}

void adapter::del_all(socket& s) {
  auto& index = rooms_.at(s.shard());
  index.del_all(s);
  std::vector<room> deleted;
  for (const auto& r : s.rooms()) {
    if (index.has_room(r)) continue;
    room_deleted(r, r == s.id());
    if (reports_rooms()) deleted.push_back(r);
  }
  if (reports_rooms()) report_rooms(s.id(), {s.rooms().begin(), s.rooms().end()}, deleted, false);
}

std::vector<std::string> adapter::socket_ids() const {
  std::vector<std::string> ids;
  for (const auto& index : rooms_) index.collect_ids(ids);
  return ids;
}

std::map<room, std::set<std::string>> adapter::rooms() const {
  std::map<room, std::set<std::string>> out;
  for (const auto& index : rooms_) index.collect_members(out);
  return out;
}

std::set<std::string> adapter::room_members(const room& r) const {
  std::set<std::string> out;
  for (const auto& index : rooms_) index.collect_members(r, out);
  return out;
}

std::optional<std::set<room>> adapter::socket_rooms(std::string_view id) const {
  std::optional<std::set<room>> out;
  for (const auto& index : rooms_) {
    if (index.find(id, [&](const socket& s) { out = s.rooms_copy(); })) break;
  }
  return out;
}

void adapter::report_rooms(const std::string& id, const std::vector<room>& changed,
                           const std::vector<room>& edges, bool joined) {
  const auto& h = room_handlers_;
  bool counted = !h.create.empty() || !h.remove.empty();
  if (changed.empty()) return;
  std::lock_guard lock(reports_mutex_);
  for (const auto& r : changed) {
    // Whether the process got its first member of `r`, or lost its last.
    bool edge = counted && std::find(edges.begin(), edges.end(), r) != edges.end();
    if (edge && joined) {
      edge = ++shards_with_room_[r] == 1;
    } else if (edge) {
      auto it = shards_with_room_.find(r);
      edge = it != shards_with_room_.end() && --it->second == 0;
      if (edge) shards_with_room_.erase(it);
    }
    using kind = room_event::kind;
    if (joined && edge) room_events_.push_back({kind::create, r, {}});
    room_events_.push_back({joined ? kind::join : kind::leave, r, id});
    if (!joined && edge) room_events_.push_back({kind::remove, r, {}});
  }
  // One queue rather than a post per report: Asio runs a shard's posts to itself after those
  // other threads made meanwhile, which would reorder the events.
  if (std::exchange(room_events_posted_, true)) return;
  nsp_.owner().engine().post(0, [this, keep = keep_alive()] { deliver_room_events(); });
}

void adapter::deliver_room_events() {
  std::vector<room_event> events;
  {
    std::lock_guard lock(reports_mutex_);
    events.swap(room_events_);
    room_events_posted_ = false;
  }
  const auto& h = room_handlers_;
  for (const auto& e : events) {
    switch (e.what) {
      case room_event::kind::create:
        for (const auto& f : h.create) engineio::guarded("create-room handler", [&] { f(e.name); });
        break;
      case room_event::kind::remove:
        for (const auto& f : h.remove) engineio::guarded("delete-room handler", [&] { f(e.name); });
        break;
      case room_event::kind::join:
        for (const auto& f : h.join)
          engineio::guarded("join-room handler", [&] { f(e.name, e.id); });
        break;
      case room_event::kind::leave:
        for (const auto& f : h.leave)
          engineio::guarded("leave-room handler", [&] { f(e.name, e.id); });
        break;
    }
  }
}

void adapter::each_shard(std::function<void(room_index&)> fn) {
  auto& engine = nsp_.owner().engine();
  auto here = engine.current_shard();
  auto shared = std::make_shared<std::function<void(room_index&)>>(std::move(fn));
  // One post per other shard, whatever the number of recipients; this shard's part runs inline.
  for (unsigned i = 0; i < engine.shard_count(); ++i) {
    if (here == i) continue;
    engine.post(i, [this, keep = keep_alive(), i, shared] { (*shared)(rooms_[i]); });
  }
  if (here) (*shared)(rooms_[*here]);
}

void adapter::each_local_socket(std::function<void(socket&)> fn) {
  each_shard([fn = std::move(fn)](room_index& index) {
    for (auto& s : matching(index, {})) fn(*s);
  });
}

void adapter::deliver_server_event(args values, std::function<void(value)> reply) {
  auto& engine = nsp_.owner().engine();
  if (engine.current_shard() == 0u) return nsp_.deliver_server_event(values, std::move(reply));
  engine.post(0, [nsp = keep_alive(), values = std::move(values), reply = std::move(reply)] {
    nsp->deliver_server_event(values, reply);
  });
}

std::shared_ptr<namespace_> adapter::keep_alive() const {
  return nsp_.shared_from_this();
}

boost::asio::any_io_executor adapter::home_executor() {
  auto& engine = nsp_.owner().engine();
  return engine.executor(engine.current_shard().value_or(0));
}

void adapter::broadcast(const packet& p, const broadcast_options& opts) {
  auto encoded = std::make_shared<const encoded_packet>(encode(p, nsp_.owner().options().parser));
  auto structured = std::make_shared<const packet>(p);
  each_shard([encoded, structured, opts](room_index& index) {
    // A snapshot: an outgoing listener may join, leave or disconnect while the walk goes on.
    for (auto& s : matching(index, opts)) {
      s->notify_outgoing(*structured, {});
      if (s->connected()) s->owner().write(*encoded, opts.flags.volatile_, opts.flags.compress);
    }
  });
}

void adapter::broadcast_with_ack(const packet& p, const broadcast_options& opts,
                                 std::function<void(std::size_t)> on_count,
                                 std::function<void(value)> on_response) {
  // Each recipient answers to an id of its own: the packet is encoded once, its id added per
  // socket (the id in `p` only matters to Node servers of a cluster).
  auto numbered = std::make_shared<const numbered_packet>(p, nsp_.owner().options().parser);
  auto structured = std::make_shared<const packet>(p);
  auto count = std::make_shared<gather<std::size_t, std::size_t>>(
      nsp_.owner().engine().shard_count(), home_executor(), std::move(on_count),
      [](std::size_t& total, std::size_t part) { total += part; });
  each_shard([numbered, structured, opts, count,
              on_response = std::move(on_response)](room_index& index) {
    auto recipients = matching(index, opts);
    for (auto& s : recipients) {
      s->notify_outgoing(*structured, {});
      auto id = s->expect_ack(
          [on_response](ack_result r) { on_response(r.values.empty() ? value() : r.values[0]); },
          opts.flags.timeout, {});
      if (s->connected())
        s->owner().write(numbered->with_id(id), opts.flags.volatile_, opts.flags.compress);
    }
    count->add(recipients.size());
  });
}

void adapter::add_sockets(const broadcast_options& opts, const std::vector<room>& rooms) {
  each_shard([opts, rooms](room_index& index) {
    for (auto& s : matching(index, opts)) s->join(rooms);
  });
}

void adapter::del_sockets(const broadcast_options& opts, const std::vector<room>& rooms) {
  each_shard([opts, rooms](room_index& index) {
    for (auto& s : matching(index, opts)) {
      for (const auto& r : rooms) s->leave(r);
    }
  });
}

void adapter::disconnect_sockets(const broadcast_options& opts, bool close) {
  each_shard([opts, close](room_index& index) {
    for (auto& s : matching(index, opts)) s->disconnect(close);
  });
}

void adapter::fetch_sockets(const broadcast_options& opts, std::function<void(fetch_result)> done) {
  using list = std::vector<remote_socket>;
  auto all = std::make_shared<gather<fetch_result, list>>(
      nsp_.owner().engine().shard_count(), home_executor(), std::move(done),
      [](fetch_result& whole, list part) {
        std::move(part.begin(), part.end(), std::back_inserter(whole.sockets));
      });
  each_shard([opts, all, nsp = &nsp_](room_index& index) {
    list part;
    index.for_each(opts, [&](socket& s) {
      part.emplace_back(*nsp, s.id(), s.handshake(), s.rooms(), s.data());
    });
    all->add(std::move(part));
  });
}

void adapter::all_rooms(std::function<void(rooms_result)> done) {
  auto all = std::make_shared<gather<rooms_result, std::set<room>>>(
      nsp_.owner().engine().shard_count(), home_executor(), std::move(done),
      [](rooms_result& whole, std::set<room> part) { whole.rooms.merge(part); });
  each_shard([all](room_index& index) {
    std::set<room> part;
    index.collect_rooms(part);
    all->add(std::move(part));
  });
}

void adapter::server_count(std::function<void(std::size_t)> done) {
  boost::asio::post(home_executor(), [done = std::move(done)] {
    engineio::guarded("server_count callback", [&] { done(1); });
  });
}

void adapter::server_side_emit(const args& /*values*/, std::function<void(ack_result)> ack) {
  if (!ack) return;
  boost::asio::post(home_executor(), [ack = std::move(ack)] {
    engineio::guarded("server_side_emit callback", [&] { ack(ack_result{std::nullopt, {}}); });
  });
}

}  // namespace socketio
