// Built against sio::socketio_redis, so that the Redis adapters and hiredis must link from the
// installed package. `consumer_redis URL` joins the Redis at URL; the checks only build it.

#include <iostream>

#include "socketio/redis/adapter.hpp"
#include "socketio/redis/client.hpp"
#include "socketio/socketio.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer_redis redis://HOST:PORT\n";
    return 2;
  }
  sio::server io;
  io.adapter(
      sio::redis::make_adapter(sio::redis::client::connect(io.engine().executor(0), argv[1])));
  io.listen("127.0.0.1", 0);
  std::cout << "consumer_redis listening on http://127.0.0.1:" << io.port() << "/socket.io/"
            << std::endl;
  io.run();
}
