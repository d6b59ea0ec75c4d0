// socketio_ops: exposes rooms and broadcast operators to clients, so the interop tests can drive
// every operator and compare with Node. The event table is cluster_node's (shared CONTRACTS.md),
// on one process.
//
//   socketio_ops [--port N] [--threads N] [--name X] [--unix PATH]
//
// --unix PATH: also listens on a Unix domain socket at PATH.
//
// Namespaces "/", "/chat" and the dynamic /^\/dyn-\d+$/ (children created on first connection),
// /^\/find-\d+/ (a name that starts so) and /lookup-N (an asynchronous matcher accepts it 20 ms
// later, from another thread, when N is even); a middleware sets socket.data = {name: auth.name
// or null, node: X}. The child /dyn-0 is made at start with io.of() and joins its sockets to room
// "explicit". On "/": new-namespaces(ack) acks the names new_namespace announced.
// On "/chat": room-events(ack) acks the adapter's create-room, join-room, leave-room and
// delete-room events so far for rooms named "re-*", as "join re-1 alice" (auth name).
// Events (the last argument is always an ack):
//   me(ack)                    ack {node, nsp, id, rooms, data}
//   join/leave(room|rooms, ack)
//   emit({rooms, except, event, args, broadcast?, local?, volatile?}, ack)
//   emit-ack({rooms, except, event, args, timeout}, ack)    ack {error, responses}
//   sjoin/sleave({rooms, except, target}, ack)
//   kick({rooms, except, close}, ack)
//   fetch({rooms, except}, ack)            ack [{id, rooms, data, handshake}]
//   sse({event, args, ack: bool}, ack)     with ack: ack {error, replies}; else ack()
//   count(ack)                             ack the adapter's server count
//   rooms(ack)                             ack the adapter's rooms
//   emit-self({event, args, compress, volatile}, ack)
//       socket.compress(compress).volatile?.emit(event, ...args) to the sender, then ack()
//   lookup({room, id}, ack)                ack this server's synchronous lookups, sorted:
//       {ids: the namespace's socket ids, count: their number, members: room's members,
//        rooms: the rooms of socket id, or null}
//   request-user(ack)                      acks what an engine middleware attached to the
//       handshake request as "user" (the query's user parameter), or null
//   conn-watch(ack)                        listens on socket.conn and acks; the log gets
//       "packet:T" per packet received, "create:T" per packet created (T its type digit),
//       "flush:N" (N packets), "drain", "heartbeat", "upgrading", "upgrade"
//   conn-log(ack)                          acks that log
//   remote({rooms, except, action, room, event, args, close}, ack)
//       fetchSockets(), then on each RemoteSocket: emit(event, ...args) | join(room) |
//       leave(room) | disconnect(close); ack once all were asked; or with action "ask",
//       timeout(timeout).emit(event, ...args, cb) on each and ack [{error, response}] once
//       all answered
//   parent-emit({event, args}, ack)        the dynamic parent emits to all its children
//
// Socket API checks, on every namespace:
//   a socket middleware refuses events named "blocked"; the socket's error listener (which also
//   hears why a packet could not be decoded) emits middleware-error(message) to the client and
//   socket-error {id, message} to room "watchers"
//   once-only(ack)         a `once` handler: the first call acks "first", later ones never ack
//   drop-handler(ack)      removes the handlers of "dropped" (`off`), then acks
//   dropped(ack)           acks "present" until drop-handler ran
//   last-any(ack)          acks the name and args of the last event seen by the catch-all listener
//   outgoing(ack)          acks the names of the events this socket emitted so far (onAnyOutgoing)
//   throw(ack)             the handler throws: nothing is acked, the connection stays up
//   on disconnecting, emits to room "watchers": bye {id, rooms (still readable), reason}
//
// Namespace "/guarded" and the dynamic /^\/guarded-\d+$/: their middleware refuses unless
// auth.token is "ok", with the message "not authorized" and data {code: 42, hint: "send a token"};
// it joins the socket to auth.room when there is one.

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "delayed_runner.hpp"
#include "socketio/socketio.hpp"

using namespace std::chrono_literals;

namespace {

std::vector<std::string> strings(const sio::value& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.as_string());
  for (const auto& item : v.as_array()) out.push_back(item.as_string());
  return out;
}

sio::value rooms_of(const sio::socket& s) {
  sio::array out;
  for (const auto& r : s.rooms()) out.emplace_back(r);
  return out;
}

// nsp.to(rooms).except(except), from the socket when `broadcast`, local when `local`.
sio::broadcast_operator target(sio::socket& s, const sio::value& spec) {
  auto op = spec["broadcast"].as_bool() ? s.broadcast() : sio::broadcast_operator(s.nsp());
  if (spec["local"].as_bool()) op = op.local();
  if (spec["volatile"].as_bool()) op = op.volatile_();
  return op.to(strings(spec["rooms"])).except(strings(spec["except"]));
}

// The "ask" action of "remote": every fetched socket is asked, and the answers go back together.
void ask_each(const std::vector<sio::remote_socket>& sockets, const sio::value& spec,
              const sio::ack& ack) {
  struct answers {
    std::mutex mutex;
    std::size_t left;
    sio::array results;
  };
  if (sockets.empty()) return ack(sio::array{});
  auto all = std::make_shared<answers>();
  all->left = sockets.size();
  auto timeout = std::chrono::milliseconds(spec["timeout"].as_int());
  for (const auto& r : sockets) {
    r.timeout(timeout).emit_with_ack(
        spec["event"].as_string(), spec["args"].as_array(), [all, ack](sio::ack_result result) {
          std::lock_guard lock(all->mutex);
          bool answered = !result.error && !result.values.empty();
          all->results.emplace_back(
              sio::object{{"error", result.error ? sio::value(*result.error) : sio::value()},
                          {"response", answered ? result.values[0] : sio::value()}});
          if (--all->left == 0) ack(all->results);
        });
  }
}

void handlers(sio::socket& s) {
  s.on("me", [](sio::socket& s, const sio::args&, sio::ack ack) {
    ack(sio::object{{"node", s.data()["node"]},
                    {"nsp", s.nsp().name()},
                    {"id", s.id()},
                    {"rooms", rooms_of(s)},
                    {"data", s.data()}});
  });
  s.on("join", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    s.join(strings(a[0]));
    ack();
  });
  s.on("leave", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    for (const auto& r : strings(a[0])) s.leave(r);
    ack();
  });
  s.on("emit", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    target(s, a[0]).emit_args(a[0]["event"].as_string(), a[0]["args"].as_array());
    ack();
  });
  s.on("emit-ack", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    auto op = target(s, a[0]).timeout(std::chrono::milliseconds(a[0]["timeout"].as_int()));
    op.emit_with_ack(a[0]["event"].as_string(), a[0]["args"].as_array(), [ack](sio::ack_result r) {
      ack(sio::object{{"error", r.error ? sio::value(*r.error) : sio::value()},
                      {"responses", sio::array(r.values)}});
    });
  });
  s.on("sjoin", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    target(s, a[0]).sockets_join(strings(a[0]["target"]));
    ack();
  });
  s.on("sleave", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    target(s, a[0]).sockets_leave(strings(a[0]["target"]));
    ack();
  });
  s.on("fetch", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    target(s, a[0]).fetch_sockets([ack](const sio::fetch_result& result) {
      if (result.error) return ack(sio::object{{"error", *result.error}});
      sio::array out;
      for (const auto& r : result.sockets) {
        sio::array rooms(r.rooms().begin(), r.rooms().end());
        out.emplace_back(sio::object{{"id", r.id()},
                                     {"rooms", std::move(rooms)},
                                     {"data", r.data()},
                                     {"handshake", r.handshake().to_value()}});
      }
      ack(std::move(out));
    });
  });
  s.on("sse", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    if (!a[0]["ack"].as_bool()) {
      s.nsp().server_side_emit(a[0]["event"].as_string(), a[0]["args"].as_array());
      return ack();
    }
    s.nsp().server_side_emit(
        a[0]["event"].as_string(), a[0]["args"].as_array(), [ack](sio::ack_result r) {
          ack(sio::object{{"error", r.error ? sio::value(*r.error) : sio::value()},
                          {"replies", sio::array(r.values)}});
        });
  });
  s.on("count", [](sio::socket& s, const sio::args&, sio::ack ack) {
    s.nsp().adapter().server_count([ack](std::size_t n) { ack(n); });
  });
  s.on("emit-self", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    const auto& spec = a[0];
    s.compress(spec["compress"].as_bool());
    if (spec["volatile"].as_bool()) s.volatile_();
    s.emit_args(spec["event"].as_string(), spec["args"].as_array());
    ack();
  });
  s.on("request-user", [](sio::socket& s, const sio::args&, sio::ack ack) {
    const auto* user = s.conn()->request().local<std::string>("user");
    ack(user ? sio::value(*user) : sio::value());
  });
  s.on("conn-watch", [](sio::socket& s, const sio::args&, sio::ack ack) {
    auto log = std::make_shared<sio::array>();
    auto& conn = *s.conn();
    auto add = [log](std::string entry) { log->emplace_back(std::move(entry)); };
    conn.on_packet([add](const eio::packet& p) {
      add("packet:" + std::string(1, static_cast<char>(p.type)));
    });
    conn.on_packet_create([add](const eio::outgoing& p) {
      add("create:" + std::string(1, p.binary ? '4' : p.bytes->front()));
    });
    conn.on_flush(
        [add](const std::vector<eio::outgoing>& q) { add("flush:" + std::to_string(q.size())); });
    conn.on_drain([add] { add("drain"); });
    conn.on_heartbeat([add] { add("heartbeat"); });
    conn.on_upgrading([add] { add("upgrading"); });
    s.on_upgrade([add](sio::socket&) { add("upgrade"); });
    s.on("conn-log", [log](sio::socket&, const sio::args&, sio::ack reply) { reply(*log); });
    ack();
  });
  s.on("lookup", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    auto& adapter = s.nsp().adapter();
    auto ids = adapter.socket_ids();
    std::sort(ids.begin(), ids.end());
    auto members = adapter.room_members(a[0]["room"].as_string());
    auto rooms = adapter.socket_rooms(a[0]["id"].as_string());
    ack(sio::object{
        {"ids", sio::array(ids.begin(), ids.end())},
        {"count", s.nsp().socket_count()},
        {"members", sio::array(members.begin(), members.end())},
        {"rooms", rooms ? sio::value(sio::array(rooms->begin(), rooms->end())) : sio::value()}});
  });
  s.on("rooms", [](sio::socket& s, const sio::args&, sio::ack ack) {
    s.nsp().adapter().all_rooms([ack](const sio::rooms_result& result) {
      ack(sio::array(result.rooms.begin(), result.rooms.end()));
    });
  });
  s.on("remote", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    const auto& spec = a[0];
    target(s, spec).fetch_sockets([spec, ack](const sio::fetch_result& result) {
      const auto& action = spec["action"].as_string();
      if (action == "ask") return ask_each(result.sockets, spec, ack);
      for (const auto& r : result.sockets) {
        if (action == "emit") r.emit_args(spec["event"].as_string(), spec["args"].as_array());
        if (action == "join") r.join(spec["room"].as_string());
        if (action == "leave") r.leave(spec["room"].as_string());
        if (action == "disconnect") r.disconnect(spec["close"].as_bool());
      }
      ack();
    });
  });
  s.use([](sio::socket&, const std::string& event, sio::args&, const sio::event_next& next) {
    event == "blocked" ? next("blocked by middleware") : next(std::nullopt);
  });
  s.on_error([](sio::socket& s, const std::string& message) {
    s.emit("middleware-error", message);
    s.to("watchers").emit("socket-error", sio::object{{"id", s.id()}, {"message", message}});
  });
  s.once("once-only", [](sio::socket&, const sio::args&, sio::ack ack) { ack("first"); });
  s.on("dropped", [](sio::socket&, const sio::args&, sio::ack ack) { ack("present"); });
  s.on("drop-handler", [](sio::socket& s, const sio::args&, sio::ack ack) {
    s.off("dropped");
    ack();
  });
  auto last = std::make_shared<sio::value>();
  s.on_any([last](sio::socket&, const std::string& event, const sio::args& a) {
    if (event != "last-any") *last = sio::object{{"event", event}, {"args", sio::array(a)}};
  });
  s.on("last-any", [last](sio::socket&, const sio::args&, sio::ack ack) { ack(*last); });
  auto outgoing = std::make_shared<sio::array>();
  s.on_any_outgoing([outgoing](sio::socket&, const std::string& event, const sio::args&) {
    outgoing->emplace_back(event);
  });
  s.on("outgoing", [outgoing](sio::socket&, const sio::args&, sio::ack ack) { ack(*outgoing); });
  s.on("throw",
       [](sio::socket&, const sio::args&) { throw std::runtime_error("handler failure"); });
  s.on_disconnecting([](sio::socket& s, sio::disconnect_reason reason) {
    s.to("watchers")
        .emit("bye",
              sio::object{
                  {"id", s.id()}, {"rooms", rooms_of(s)}, {"reason", sio::to_string(reason)}});
  });
  s.on("kick", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    ack();
    target(s, a[0]).disconnect_sockets(a[0]["close"].as_bool());
  });
}

}  // namespace

int main(int argc, char** argv) {
  sio::server_options opts;
  int port = 3000;
  std::string name = "cpp";
  std::string unix_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view arg = argv[i];
    if (arg == "--port") port = std::atoi(argv[i + 1]);
    if (arg == "--threads") opts.threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    if (arg == "--name") name = argv[i + 1];
    if (arg == "--unix") unix_path = argv[i + 1];
  }
  sio_test::delayed_runner lookups;  // before io: stops after it
  sio::server io(opts);
  io.engine().use([](eio::request_info& req, eio::string_pairs&, const eio::middleware_next& next) {
    if (auto user = req.query_param("user")) req.set_local("user", std::string(*user));
    next();
  });
  std::mutex created_mutex;
  sio::array created;  // names new_namespace announced
  io.on_new_namespace([&](sio::namespace_& nsp) {
    std::lock_guard lock(created_mutex);
    created.emplace_back(nsp.name());
  });
  auto& dynamic = io.of(std::regex("^/dyn-\\d+$"));
  auto& looked_up =
      io.of([&lookups](const std::string& name, const sio::value&, sio::namespace_next next) {
        static const std::regex even("^/lookup-\\d*[02468]$");
        bool accepted = std::regex_search(name, even);
        lookups.later(20ms, [next = std::move(next), accepted] { next(accepted); });
      });
  for (sio::namespace_* nsp :
       {&io.of("/"), &io.of("/chat"), &dynamic, &io.of(std::regex("^/find-\\d+")), &looked_up}) {
    nsp->use([name](sio::socket& s, sio::next next) {
      const auto& auth = s.handshake().auth;
      s.data() = sio::object{{"name", auth.contains("name") ? auth["name"] : sio::value()},
                             {"node", name}};
      next();
    });
    nsp->on_connection(handlers);
    nsp->on_connection([&dynamic](sio::socket& s) {
      s.on("parent-emit", [&dynamic](sio::socket&, const sio::args& a, sio::ack ack) {
        dynamic.emit_args(a[0]["event"].as_string(), a[0]["args"].as_array());
        ack();
      });
    });
  }
  io.of("/dyn-0").on_connection([](sio::socket& s) { s.join("explicit"); });
  // Room events of /chat for rooms named "re-*", a socket shown by its auth name.
  std::mutex room_events_mutex;
  sio::array room_events;
  std::map<std::string, std::string, std::less<>> names;  // socket id -> auth name
  auto record = [&](std::string line, const sio::room& r, const std::string& id = {}) {
    if (r.rfind("re-", 0) != 0) return;
    std::lock_guard lock(room_events_mutex);
    line += " " + r;
    if (!id.empty()) line += " " + names[id];
    room_events.emplace_back(line);
  };
  auto& chat_rooms = io.of("/chat").adapter();
  chat_rooms.on_create_room([&](const sio::room& r) { record("create", r); });
  chat_rooms.on_delete_room([&](const sio::room& r) { record("delete", r); });
  chat_rooms.on_join_room(
      [&](const sio::room& r, const std::string& id) { record("join", r, id); });
  chat_rooms.on_leave_room(
      [&](const sio::room& r, const std::string& id) { record("leave", r, id); });
  io.of("/chat").on_connection([&](sio::socket& s) {
    {
      std::lock_guard lock(room_events_mutex);
      const auto& name = s.handshake().auth["name"];
      names[s.id()] = name.is_string() ? name.as_string() : "";
    }
    s.on("room-events", [&](sio::socket&, const sio::args&, sio::ack ack) {
      std::lock_guard lock(room_events_mutex);
      ack(room_events);
    });
  });
  io.on_connection([&](sio::socket& s) {
    s.on("new-namespaces", [&](sio::socket&, const sio::args&, sio::ack ack) {
      std::lock_guard lock(created_mutex);
      ack(created);
    });
  });
  auto guard = [](sio::socket& s, const sio::next& next) {
    const auto& auth = s.handshake().auth;
    if (auth["token"] == "ok") {
      if (auth["room"].is_string()) s.join(auth["room"].as_string());
      return next();
    }
    next(sio::connect_error{"not authorized", sio::object{{"code", 42}, {"hint", "send a token"}}});
  };
  for (sio::namespace_* nsp : {&io.of("/guarded"), &io.of(std::regex("^/guarded-\\d+$"))}) {
    nsp->use(guard);
    nsp->on_connection(handlers);
  }

  io.listen("127.0.0.1", static_cast<std::uint16_t>(port));
  if (!unix_path.empty()) io.listen_unix(unix_path);
  std::cout << "socketio_ops listening on http://127.0.0.1:" << io.port() << "/socket.io/"
            << std::endl;
  io.run();
}
