// cluster_node: one node of a Redis-backed cluster, interchangeable with a Node server using
// @socket.io/redis-adapter (see shared CONTRACTS.md).
//
//   cluster_node [--port P] [--redis redis://HOST:PORT] [--name X] [--adapter classic|sharded]
//                [--threads N]
//   (else $PORT, $REDIS_URL, $NODE_NAME, $REDIS_ADAPTER; defaults 3000, redis://127.0.0.1:6379,
//   "node", classic)
//
// Namespaces "/" and "/chat". Clients drive the cluster through events (the last argument is
// always an ack): me, join, leave, emit, emit-ack, fetch, sjoin, sleave, kick, sse, count, rooms.
// Other servers reach it with serverSideEmit: hello(...args, cb) and relay(event, ...args).

#include <cstdlib>
#include <iostream>
#include <string>

#include "socketio/redis/adapter.hpp"
#include "socketio/redis/client.hpp"
#include "socketio/socketio.hpp"

namespace {

std::string setting(int argc, char** argv, std::string_view flag, const char* env,
                    std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == flag) return argv[i + 1];
  }
  const char* from_env = std::getenv(env);
  return from_env ? from_env : std::move(fallback);
}

std::vector<std::string> strings(const sio::value& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.as_string());
  for (const auto& item : v.as_array()) out.push_back(item.as_string());
  return out;
}

sio::value list(const std::set<sio::room>& rooms) {
  return sio::array(rooms.begin(), rooms.end());
}

sio::value error_or_null(const std::optional<std::string>& error) {
  return error ? sio::value(*error) : sio::value();
}

// nsp.to(rooms).except(except); socket.to(...) when `broadcast`; nsp.local.to(...) when `local`.
sio::broadcast_operator target(sio::socket& s, const sio::value& spec) {
  auto op = spec["broadcast"].truthy() ? s.broadcast() : sio::broadcast_operator(s.nsp());
  if (spec["local"].truthy()) op = op.local();
  return op.to(strings(spec["rooms"])).except(strings(spec["except"]));
}

void handlers(sio::socket& s) {
  s.on("me", [](sio::socket& s, const sio::args&, sio::ack ack) {
    ack(sio::object{{"node", s.data()["node"]},
                    {"nsp", s.nsp().name()},
                    {"id", s.id()},
                    {"rooms", list(s.rooms())},
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
    target(s, a[0])
        .timeout(std::chrono::milliseconds(a[0]["timeout"].as_int()))
        .emit_with_ack(a[0]["event"].as_string(), a[0]["args"].as_array(),
                       [ack](const sio::ack_result& r) {
                         ack(sio::object{{"error", error_or_null(r.error)},
                                         {"responses", sio::array(r.values)}});
                       });
  });
  s.on("fetch", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    target(s, a[0]).fetch_sockets([ack](const sio::fetch_result& result) {
      if (result.error) return ack(sio::object{{"error", *result.error}});
      sio::array out;
      for (const auto& r : result.sockets) {
        out.emplace_back(sio::object{{"id", r.id()},
                                     {"rooms", list(r.rooms())},
                                     {"data", r.data()},
                                     {"handshake", r.handshake().to_value()}});
      }
      ack(std::move(out));
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
  s.on("kick", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    target(s, a[0]).disconnect_sockets(a[0]["close"].truthy());
    ack();
  });
  s.on("sse", [](sio::socket& s, const sio::args& a, sio::ack ack) {
    const auto& event = a[0]["event"].as_string();
    if (!a[0]["ack"].truthy()) {
      s.nsp().server_side_emit(event, a[0]["args"].as_array());
      return ack();
    }
    s.nsp().server_side_emit(event, a[0]["args"].as_array(), [ack](const sio::ack_result& r) {
      ack(sio::object{{"error", error_or_null(r.error)}, {"replies", sio::array(r.values)}});
    });
  });
  s.on("count", [](sio::socket& s, const sio::args&, sio::ack ack) {
    s.nsp().adapter().server_count([ack](std::size_t n) { ack(n); });
  });
  s.on("rooms", [](sio::socket& s, const sio::args&, sio::ack ack) {
    s.nsp().adapter().all_rooms([ack](const sio::rooms_result& r) { ack(list(r.rooms)); });
  });
}

}  // namespace

int main(int argc, char** argv) {
  int port = std::stoi(setting(argc, argv, "--port", "PORT", "3000"));
  auto url = setting(argc, argv, "--redis", "REDIS_URL", "redis://127.0.0.1:6379");
  auto name = setting(argc, argv, "--name", "NODE_NAME", "node");
  auto mode = setting(argc, argv, "--adapter", "REDIS_ADAPTER", "classic");
  if (mode != "classic" && mode != "sharded") {
    std::cerr << "cluster_node: --adapter is classic or sharded\n";
    return 2;
  }

  sio::server_options opts;
  opts.threads = static_cast<unsigned>(std::stoi(setting(argc, argv, "--threads", "THREADS", "1")));
  sio::server io(opts);
  auto redis = sio::redis::client::connect(io.engine().executor(0), url);
  io.adapter(mode == "classic" ? sio::redis::make_adapter(redis)
                               : sio::redis::make_sharded_adapter(redis));

  for (const char* path : {"/", "/chat"}) {
    auto& nsp = io.of(path);
    nsp.use([name](sio::socket& s, sio::next next) {
      const auto& who = s.handshake().auth["name"];
      s.data() = sio::object{{"name", who.is_string() ? who : sio::value()}, {"node", name}};
      next();
    });
    nsp.on_connection(handlers);
    nsp.on_server_event("hello", [&nsp, name](const sio::args& a, const sio::server_reply& reply) {
      if (reply) reply(sio::object{{"node", name}, {"nsp", nsp.name()}, {"args", sio::array(a)}});
    });
    nsp.on_server_event("relay", [&nsp](const sio::args& a, const sio::server_reply&) {
      if (a.empty() || !a[0].is_string()) return;
      nsp.local().emit_args(a[0].as_string(), sio::args(a.begin() + 1, a.end()));
    });
  }

  io.listen("127.0.0.1", static_cast<std::uint16_t>(port));
  std::cout << "cluster_node " << name << " listening on http://127.0.0.1:" << io.port()
            << "/socket.io/" << std::endl;
  io.run();
  redis->close();
}
