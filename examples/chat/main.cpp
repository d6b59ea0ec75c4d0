// chat: the Socket.IO getting-started chat, with this server in place of express + socket.io.
// Serves public/ (copied next to the binary as chat_public/) and the client bundle at
// /socket.io/socket.io.js; every "chat message" goes to everyone. See shared CONTRACTS.md.
//
//   chat [--port N] [--public DIR] [--threads N] [--max-buffered-bytes N]
//        [--tls-cert FILE --tls-key FILE]
//   (port: --port, else $PORT, else 3000; with a certificate, HTTPS and WSS only, reloaded on
//   SIGHUP)

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "engineio/static_files.hpp"
#include "socketio/socketio.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  const char* env_port = std::getenv("PORT");
  int port = env_port ? std::atoi(env_port) : 3000;
  // Found next to the executable, wherever it is started from.
  fs::path public_dir = fs::read_symlink("/proc/self/exe").parent_path() / "chat_public";
  sio::server_options opts;
  eio::tls_options tls;
  opts.engine.allow_eio3 = true;  // old JS and Swift clients too
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--port" && has_value) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--public" && has_value) {
      public_dir = argv[++i];
    } else if (arg == "--threads" && has_value) {
      opts.threads = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (arg == "--max-buffered-bytes" && has_value) {
      opts.engine.max_buffered_bytes = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--tls-cert" && has_value) {
      tls.cert_file = argv[++i];
    } else if (arg == "--tls-key" && has_value) {
      tls.key_file = argv[++i];
    } else {
      std::cerr << "usage: chat [--port N] [--public DIR] [--threads N] [--max-buffered-bytes N] "
                   "[--tls-cert FILE --tls-key FILE]\n";
      return 2;
    }
  }
  bool secure = !tls.cert_file.empty() || !tls.key_file.empty();

  sio::server io(opts);
  io.mount("/", eio::static_files(public_dir));
  io.on_connection([&io](sio::socket& socket) {
    socket.on("chat message",
              [&io](sio::socket&, const sio::args& msg) { io.emit_args("chat message", msg); });
  });
  std::uint16_t bound = 0;
  try {  // a port in use, a certificate that does not load
    bound = secure ? io.listen("0.0.0.0", static_cast<std::uint16_t>(port), tls)
                   : io.listen("0.0.0.0", static_cast<std::uint16_t>(port));
  } catch (const std::exception& e) {
    std::cerr << "chat: " << e.what() << "\n";
    return 1;
  }
  std::cout << "chat listening on " << (secure ? "https" : "http") << "://127.0.0.1:" << bound
            << "/" << std::endl;
  io.run();
}
