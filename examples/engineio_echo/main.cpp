// engineio_echo: an Engine.IO server that sends every message back to its sender, text as text
// and binary as binary. Used by the interop tests; see shared CONTRACTS.md.
//
//   engineio_echo [--port N] [--eio3] [--threads N]   (port: --port, else $PORT, else 3001)

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "engineio/server.hpp"

using namespace std::chrono_literals;

struct echo : eio::handler {
  void on_open(eio::session&) override {}
  void on_message(eio::session& s, std::string_view text) override { s.send_text(text); }
  void on_binary(eio::session& s, std::string_view bytes) override { s.send_binary(bytes); }
  void on_close(eio::session&, eio::close_reason) override {}
};

int main(int argc, char** argv) {
  const char* env_port = std::getenv("PORT");
  int port = env_port ? std::atoi(env_port) : 3001;
  bool eio3 = false;
  unsigned threads = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--eio3") {
      eio3 = true;
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::atoi(argv[++i]));
    } else {
      std::cerr << "usage: engineio_echo [--port N] [--eio3] [--threads N]\n";
      return 2;
    }
  }

  echo events;
  eio::server server({.ping_interval = 300ms,
                      .ping_timeout = 200ms,
                      .max_http_buffer_size = 1'000'000,
                      .allow_eio3 = eio3},
                     events, threads);
  server.listen("127.0.0.1", static_cast<std::uint16_t>(port));
  std::cout << "engineio_echo listening on http://127.0.0.1:" << server.port() << "/engine.io/"
            << std::endl;
  server.run();
}
