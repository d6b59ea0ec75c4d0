// A Socket.IO server built against an installed sio-cpp: acks `echo` with its arguments and
// tells each client which version of the library it runs on.
//
//   consumer [--port N]   (default 0: any free port, printed on start)

#include <cstdlib>
#include <iostream>
#include <string>

#include "socketio/socketio.hpp"

int main(int argc, char** argv) {
  int port = argc == 3 && std::string(argv[1]) == "--port" ? std::atoi(argv[2]) : 0;
  sio::server io;
  io.on_connection([](sio::socket& s) {
    s.emit("version", std::string(sio::version()));
    s.on("echo", [](sio::socket&, const sio::args& a, sio::ack ack) { ack.send(a); });
  });
  io.listen("127.0.0.1", static_cast<std::uint16_t>(port));
  std::cout << "consumer of sio-cpp " << sio::version()
            << " listening on http://127.0.0.1:" << io.port() << "/socket.io/" << std::endl;
  io.run();
}
