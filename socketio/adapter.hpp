#pragma once
/// Rooms and broadcasting (Node's socket.io-adapter): the room index, the remote socket handle,
/// and the adapter seam. The in-memory adapter keeps one room index per shard, touched only on
/// that shard; a broadcast is encoded once and posted once to each other shard.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "socketio/error.hpp"
#include "socketio/handshake.hpp"
#include "socketio/packet.hpp"

namespace socketio {

class socket;
class namespace_;
class broadcast_operator;

using room = std::string;

struct broadcast_flags {
  bool local = false;
  bool volatile_ = false;
  bool compress = true;
  /// How long a broadcast with acks waits (a cluster adapter forgets remote acks after it).
  std::optional<std::chrono::milliseconds> timeout{};
};

struct broadcast_options {
  std::set<room> rooms{};   // empty: every socket of the namespace
  std::set<room> except{};  // sockets in any of these rooms are skipped
  broadcast_flags flags{};
};

/// Members of one shard, by room: Node's adapter `rooms` map. Node's `sids` map (a member's
/// rooms) is the set each member keeps anyway, `m.rooms()`, not a second copy here: a member
/// adds a room to its set before `add_all`, removes it before `del`, and empties the set after
/// `del_all`. A template only so tests can use stand-in members; the server uses `room_index`
/// (of sockets).
///
/// Written and iterated on its shard only; the lookups (`find`, `collect_*`) may come from any
/// thread, so writes and lookups take the mutex and the shard's own reads do not need it. A member
/// stays alive while it is in the index.
template <typename Member>
class basic_room_index {
 public:
  void add_all(Member& m, const std::vector<room>& rooms) {
    std::lock_guard lock(mutex_);
    if (members_.insert(&m).second) by_id_.emplace(m.id(), &m);
    for (const auto& r : rooms) rooms_[r].insert(&m);
  }

  void del(Member& m, const room& r) {
    std::lock_guard lock(mutex_);
    drop_from_room(&m, r);
  }

  void del_all(Member& m) {
    std::lock_guard lock(mutex_);
    if (members_.erase(&m) == 0) return;
    auto [first, last] = by_id_.equal_range(m.id());
    for (auto it = first; it != last; ++it) {
      if (it->second == &m) {
        by_id_.erase(it);
        break;
      }
    }
    for (const auto& r : m.rooms()) drop_from_room(&m, r);
  }

  /// Calls `f` once for every member matching `opts`: Node's algorithm, the union of `rooms`
  /// (or everyone) minus anyone in one of the `except` rooms.
  template <typename F>
  void for_each(const broadcast_options& opts, F&& f) const {
    auto excluded = [&](Member* m) {
      const auto& mine = m->rooms();
      return std::any_of(opts.except.begin(), opts.except.end(),
                         [&](const room& r) { return mine.count(r) > 0; });
    };
    if (opts.rooms.empty()) {
      for (Member* m : members_) {
        if (!excluded(m)) f(*m);
      }
      return;
    }
    std::unordered_set<Member*> seen;
    for (const auto& r : opts.rooms) {
      auto it = rooms_.find(r);
      if (it == rooms_.end()) continue;
      for (Member* m : it->second) {
        if (seen.insert(m).second && !excluded(m)) f(*m);
      }
    }
  }

  bool has_room(const room& r) const { return rooms_.contains(r); }

  /// Room names with at least one member.
  void collect_rooms(std::set<room>& out) const {
    for (const auto& [r, members] : rooms_) out.insert(r);
  }

  /// From any thread: calls `f` with a member whose id is `id`, if there is one, under the
  /// lock (so `f` must not touch the index). Whether there was one.
  template <typename F>
  bool find(std::string_view id, F&& f) const {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return false;
    f(*it->second);
    return true;
  }

  /// From any thread: appends every member's id.
  void collect_ids(std::vector<std::string>& out) const {
    std::lock_guard lock(mutex_);
    for (Member* m : members_) out.push_back(m->id());
  }

  /// From any thread: adds each room's members, by id.
  void collect_members(std::map<room, std::set<std::string>>& out) const {
    std::lock_guard lock(mutex_);
    for (const auto& [r, members] : rooms_) {
      auto& ids = out[r];
      for (Member* m : members) ids.insert(m->id());
    }
  }

  /// From any thread: adds the ids of room `r`'s members.
  void collect_members(const room& r, std::set<std::string>& out) const {
    std::lock_guard lock(mutex_);
    if (auto it = rooms_.find(r); it != rooms_.end()) {
      for (Member* m : it->second) out.insert(m->id());
    }
  }

 private:
  void drop_from_room(Member* m, const room& r) {
    auto it = rooms_.find(r);
    if (it == rooms_.end()) return;
    it->second.erase(m);
    if (it->second.empty()) rooms_.erase(it);
  }

  mutable std::mutex mutex_;
  std::unordered_map<room, std::unordered_set<Member*>> rooms_;
  std::unordered_set<Member*> members_;  // everyone with a room
  // The same by id, a view of the member's own id string. Not unique: two connections may
  // recover the same session.
  std::unordered_multimap<std::string_view, Member*> by_id_;
};

using room_index = basic_room_index<socket>;

/// A socket as `fetch_sockets` returns it: a snapshot of its id, handshake, rooms and data,
/// with Node's RemoteSocket operations, which reach it wherever it lives. Usable from any
/// thread.
class remote_socket {
 public:
  remote_socket(namespace_& nsp, std::string id, struct handshake hs, std::set<room> rooms,
                value data);

  const std::string& id() const noexcept { return id_; }
  const struct handshake& handshake() const noexcept { return handshake_; }
  const std::set<room>& rooms() const noexcept { return rooms_; }
  const value& data() const noexcept { return data_; }

  template <typename... Args>
  void emit(std::string_view event, Args&&... values) const {
    emit_args(event, args{value(std::forward<Args>(values))...});
  }
  void emit_args(std::string_view event, args values) const;
  /// Node's `remoteSocket.timeout(ms)`: an operator reaching this socket wherever it lives, for
  /// `emit_with_ack`. Node's callback gets the reply itself; here it is the only entry of
  /// `ack_result::values` (none after a timeout).
  broadcast_operator timeout(std::chrono::milliseconds ms) const;
  void join(const room& r) const;
  void leave(const room& r) const;
  void disconnect(bool close = false) const;

 private:
  std::shared_ptr<namespace_> nsp_;
  std::string id_;
  struct handshake handshake_;
  std::set<room> rooms_;
  value data_;
};

/// What `fetch_sockets` gives: the sockets, or Node's error message when a server of the
/// cluster did not answer in time.
struct fetch_result {
  std::vector<remote_socket> sockets;
  std::optional<std::string> error;
};

/// What `all_rooms` gives, likewise.
struct rooms_result {
  std::set<room> rooms;
  std::optional<std::string> error;
};

/// Where rooms live and how operations reach sockets: Node's socket.io-adapter `Adapter`. This
/// base class is the in-memory adapter for one process (all shards); a cluster adapter derives
/// from it, does its own part over the network and calls the base for the local part, as
/// Node's RedisAdapter extends Adapter. One instance per namespace.
///
/// Membership calls run on the socket's shard. Operations may be called from any thread; their
/// results complete on the caller's shard (shard 0 for other threads).
class adapter {
 public:
  explicit adapter(namespace_& nsp);
  virtual ~adapter() = default;
  adapter(const adapter&) = delete;
  adapter& operator=(const adapter&) = delete;

  void add_all(socket& s, const std::vector<room>& rooms);
  void del(socket& s, const room& r);
  void del_all(socket& s);
  /// Calls `fn` for every socket of this server in the namespace, on the socket's shard.
  void each_local_socket(std::function<void(socket&)> fn);

  /// Lookups on this server's sockets of the namespace, from any thread, as Node's synchronous
  /// `nsp.sockets.keys()`, `adapter.rooms`, `adapter.rooms.get(r)` and `adapter.socketRooms(id)`:
  /// snapshots taken shard by shard (a socket may come or go meanwhile).
  std::vector<std::string> socket_ids() const;
  std::map<room, std::set<std::string>> rooms() const;
  std::set<std::string> room_members(const room& r) const;
  /// Empty when no socket of this server has that id.
  std::optional<std::set<room>> socket_rooms(std::string_view id) const;

  /// Node's adapter events for this server's rooms: "create-room" (a room got its first member
  /// in this process), "delete-room" (its last member left), "join-room" and "leave-room" (with
  /// the socket's id; a socket's own id is a room too, as in Node). Set them up before the
  /// server runs. They run on shard 0, in the order the rooms changed, right after the change
  /// rather than inside join() and leave() as in Node: a handler may join and leave freely.
  using room_handler = std::function<void(const room&)>;
  using member_handler = std::function<void(const room&, const std::string& id)>;
  void on_create_room(room_handler h) { room_handlers_.create.push_back(std::move(h)); }
  void on_delete_room(room_handler h) { room_handlers_.remove.push_back(std::move(h)); }
  void on_join_room(member_handler h) { room_handlers_.join.push_back(std::move(h)); }
  void on_leave_room(member_handler h) { room_handlers_.leave.push_back(std::move(h)); }

  /// Encodes `p` once and delivers it to every matching socket.
  virtual void broadcast(const packet& p, const broadcast_options& opts);
  /// Like `broadcast`; `on_count` is called once per server with the number of sockets it reached
  /// (as Node's clientCountCallback), `on_response` with each socket's ack (its first argument).
  /// Each recipient gets `p` under an ack id of its own.
  virtual void broadcast_with_ack(const packet& p, const broadcast_options& opts,
                                  std::function<void(std::size_t)> on_count,
                                  std::function<void(value)> on_response);
  virtual void add_sockets(const broadcast_options& opts, const std::vector<room>& rooms);
  virtual void del_sockets(const broadcast_options& opts, const std::vector<room>& rooms);
  virtual void disconnect_sockets(const broadcast_options& opts, bool close);
  virtual void fetch_sockets(const broadcast_options& opts, std::function<void(fetch_result)> done);
  virtual void all_rooms(std::function<void(rooms_result)> done);
  /// Servers in the cluster, this one included.
  virtual void server_count(std::function<void(std::size_t)> done);
  /// An event for the other servers of the cluster (none here: an ack gets no replies).
  /// `values` starts with the event name.
  virtual void server_side_emit(const args& values, std::function<void(ack_result)> ack);

 protected:
  namespace_& nsp_;

  /// A shard got the first member of room `r` (Node's "create-room"); `own_id` when `r` is the
  /// joining socket's own id. Runs on that shard.
  virtual void room_created(const room& /*r*/, bool /*own_id*/) {}
  /// A shard's room `r` lost its last member (Node's "delete-room").
  virtual void room_deleted(const room& /*r*/, bool /*own_id*/) {}

  /// Hands an event from another server to the namespace's server-event handlers, on shard 0:
  /// at once when already there, so it keeps its order with the broadcasts around it.
  void deliver_server_event(args values, std::function<void(value)> reply);

  /// Runs `fn` on every shard with that shard's index, on the shard's own thread.
  void each_shard(std::function<void(room_index&)> fn);
  /// Where results go: the caller's shard, or shard 0 for other threads.
  boost::asio::any_io_executor home_executor();
  /// Keeps the namespace, and so this adapter, alive in work that ends later (a child of a
  /// dynamic namespace may be removed meanwhile).
  std::shared_ptr<namespace_> keep_alive() const;

 private:
  struct room_handlers {
    std::vector<room_handler> create, remove;
    std::vector<member_handler> join, leave;
  };
  struct room_event {
    enum class kind { create, join, leave, remove } what;
    room name;
    std::string id;  // the socket's, for join and leave
  };
  /// One socket's rooms `changed` on its shard (joined, or left); `edges` are those that this
  /// shard gained or lost with it. Queues the events for the room handlers on shard 0.
  void report_rooms(const std::string& id, const std::vector<room>& changed,
                    const std::vector<room>& edges, bool joined);
  void deliver_room_events();
  bool reports_rooms() const noexcept {
    const auto& h = room_handlers_;
    return !h.create.empty() || !h.remove.empty() || !h.join.empty() || !h.leave.empty();
  }

  std::vector<room_index> rooms_;  // one per shard, touched only there
  room_handlers room_handlers_;
  // Orders the reports of all shards; guards the count of shards holding each room (kept only
  // while someone listens for create-room or delete-room) and the events not yet delivered.
  std::mutex reports_mutex_;
  std::unordered_map<room, unsigned> shards_with_room_;
  std::vector<room_event> room_events_;  // waiting for shard 0
  bool room_events_posted_ = false;
};

using adapter_factory = std::function<std::unique_ptr<adapter>(namespace_&)>;

}  // namespace socketio
