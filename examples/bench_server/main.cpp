// bench_server: the benchmark target of bench/ (see shared CONTRACTS.md). Default options;
// "echo" acks its arguments back, "bcast" sends its arguments to every socket of "/".
//
//   bench_server [--port N] [--threads N] [--tls-cert FILE --tls-key FILE]
//   (port: --port, else $PORT, else 3000; threads: the number of cores by default; with a
//   certificate, HTTPS and WSS only)

#include <cstdlib>
#include <iostream>
#include <string_view>
#include <thread>

#include "socketio/socketio.hpp"

int main(int argc, char** argv) {
  const char* env_port = std::getenv("PORT");
  int port = env_port ? std::atoi(env_port) : 3000;
  sio::server_options opts;
  opts.threads = std::max(1u, std::thread::hardware_concurrency());
  eio::tls_options tls;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--threads" && i + 1 < argc) {
      opts.threads = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (arg == "--tls-cert" && i + 1 < argc) {
      tls.cert_file = argv[++i];
    } else if (arg == "--tls-key" && i + 1 < argc) {
      tls.key_file = argv[++i];
    } else {
      std::cerr
          << "usage: bench_server [--port N] [--threads N] [--tls-cert FILE --tls-key FILE]\n";
      return 2;
    }
  }

  sio::server io(opts);
  io.on_connection([&io](sio::socket& socket) {
    socket.on("echo", [](sio::socket&, const sio::args& a, sio::ack ack) { ack.send(a); });
    socket.on("bcast", [&io](sio::socket&, const sio::args& a) { io.emit_args("bcast", a); });
  });
  bool secure = !tls.cert_file.empty();
  auto bound = secure ? io.listen("127.0.0.1", static_cast<std::uint16_t>(port), tls)
                      : io.listen("127.0.0.1", static_cast<std::uint16_t>(port));
  std::cout << "bench_server listening on " << (secure ? "https" : "http")
            << "://127.0.0.1:" << bound << "/socket.io/" << std::endl;
  io.run();
}
