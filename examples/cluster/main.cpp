// cluster: the chat of examples/chat, for several processes behind a load balancer. Each process
// joins the others through Redis (the protocol of Node's @socket.io/redis-adapter), so a message
// sent to one reaches the users of all. scripts/cluster-demo.sh starts Redis, two of these and
// nginx in front of them (nginx.conf here).
//
//   cluster [--port N] [--redis redis://HOST:PORT] [--public DIR]
//   (else $PORT, $REDIS_URL; defaults 3000 and redis://127.0.0.1:6379)

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "engineio/static_files.hpp"
#include "socketio/redis/adapter.hpp"
#include "socketio/redis/client.hpp"
#include "socketio/socketio.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  const char* env_port = std::getenv("PORT");
  const char* env_redis = std::getenv("REDIS_URL");
  int port = env_port ? std::atoi(env_port) : 3000;
  std::string redis_url = env_redis ? env_redis : "redis://127.0.0.1:6379";
  fs::path public_dir = fs::read_symlink("/proc/self/exe").parent_path() / "chat_public";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view arg = argv[i];
    if (arg == "--port") {
      port = std::atoi(argv[i + 1]);
    } else if (arg == "--redis") {
      redis_url = argv[i + 1];
    } else if (arg == "--public") {
      public_dir = argv[i + 1];
    } else {
      std::cerr << "usage: cluster [--port N] [--redis URL] [--public DIR]\n";
      return 2;
    }
  }

  sio::server io;
  auto redis = sio::redis::client::connect(io.engine().executor(0), redis_url);
  io.adapter(sio::redis::make_adapter(redis));
  io.mount("/", eio::static_files(public_dir));
  io.on_connection([&io](sio::socket& socket) {
    socket.on("chat message",
              [&io](sio::socket&, const sio::args& msg) { io.emit_args("chat message", msg); });
  });
  io.listen("0.0.0.0", static_cast<std::uint16_t>(port));
  std::cout << "cluster listening on http://127.0.0.1:" << io.port() << "/" << std::endl;
  io.run();
  redis->close();
}
