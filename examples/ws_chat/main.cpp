// ws_chat: a classic raw-WebSocket chat backend, on a plain WebSocket endpoint at / beside
// Socket.IO on the same port (as a `ws` server sharing Node's HTTP server): a client sends "nick
// NAME" to name itself and "PRIVMSG text" to talk; every open client gets
// {"type":"nick","message":NAME} or
// {"type":"message","message":"NAME: text"}.
//
//   ws_chat [--port N] [--threads N]   (port: --port, else $PORT, else 3000)

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "socketio/socketio.hpp"

namespace {

// The open clients and their names; callbacks run on several shard threads, hence the lock.
class chat_room {
 public:
  void join(eio::websocket_peer& peer) {
    std::lock_guard lock(mutex_);
    names_[peer.shared_from_this()] = "anonymous";
  }
  void leave(eio::websocket_peer& peer) {
    std::lock_guard lock(mutex_);
    names_.erase(peer.shared_from_this());
  }
  void on_message(eio::websocket_peer& peer, std::string_view text) {
    std::string type, message;
    {
      std::lock_guard lock(mutex_);
      auto& name = names_[peer.shared_from_this()];
      if (text.starts_with("nick ")) {
        name = text.substr(5);
        type = "nick";
        message = name;
      } else if (text.starts_with("PRIVMSG ")) {
        type = "message";
        message = name + ": " + std::string(text.substr(8));
      } else {
        return;
      }
    }
    broadcast(sio::value(sio::object{{"type", type}, {"message", message}}).to_json());
  }

 private:
  void broadcast(const std::string& json) {
    std::lock_guard lock(mutex_);
    for (const auto& [peer, name] : names_) peer->send_text(json);
  }

  std::mutex mutex_;
  std::map<std::shared_ptr<eio::websocket_peer>, std::string> names_;
};

}  // namespace

int main(int argc, char** argv) {
  const char* env_port = std::getenv("PORT");
  int port = env_port ? std::atoi(env_port) : 3000;
  unsigned threads = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::atoi(argv[++i]));
    } else {
      std::cerr << "usage: ws_chat [--port N] [--threads N]\n";
      return 2;
    }
  }

  sio::server_options opts;
  opts.threads = threads;
  sio::server io(opts);
  chat_room room;
  io.websocket("/",
               {
                   .on_open = [&](eio::websocket_peer& peer) { room.join(peer); },
                   .on_message =
                       [&](eio::websocket_peer& peer, std::string_view data, bool binary) {
                         if (!binary) room.on_message(peer, data);
                       },
                   .on_close = [&](eio::websocket_peer& peer, std::uint16_t) { room.leave(peer); },
               });
  io.listen("0.0.0.0", static_cast<std::uint16_t>(port));
  std::cout << "ws_chat listening on http://127.0.0.1:" << io.port() << "/" << std::endl;
  io.run();
}
