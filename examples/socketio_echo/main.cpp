// socketio_echo: a Socket.IO server with the namespaces "/" and "/custom", each sending back what
// it receives. Used by the interop tests; see shared CONTRACTS.md.
//
//   socketio_echo [--port N] [--eio3] [--msgpack] [--ping-interval MS] [--ping-timeout MS]
//   [--threads N] [--tls-cert FILE --tls-key FILE]
//   (port: --port, else $PORT, else 3000; with a certificate, HTTPS and WSS only)

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "socketio/socketio.hpp"

using namespace std::chrono_literals;

void echo_handlers(sio::socket& s) {
  s.emit("auth", s.handshake().auth);
  s.on("message", [](sio::socket& s, const sio::args& a) { s.emit_args("message-back", a); });
  s.on("message-with-ack", [](sio::socket&, const sio::args& a, sio::ack ack) { ack.send(a); });
  s.on("emit-with-ack", [](sio::socket& s, const sio::args& a) {
    s.emit_with_ack("emit-with-ack", a, [weak = s.weak_from_this()](const sio::ack_result& r) {
      if (auto s = weak.lock(); s && r.ok()) s->emit_args("emit-with-ack", r.values);
    });
  });
}

int main(int argc, char** argv) {
  const char* env_port = std::getenv("PORT");
  int port = env_port ? std::atoi(env_port) : 3000;
  sio::server_options opts;
  opts.connect_timeout = 1000ms;
  opts.engine.ping_interval = 300ms;
  opts.engine.ping_timeout = 200ms;
  opts.engine.max_http_buffer_size = 1'000'000;
  eio::tls_options tls;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--port" && has_value) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--eio3") {
      opts.engine.allow_eio3 = true;
    } else if (arg == "--msgpack") {
      opts.parser = sio::parser_kind::msgpack;
    } else if (arg == "--ping-interval" && has_value) {
      opts.engine.ping_interval = std::chrono::milliseconds(std::atoi(argv[++i]));
    } else if (arg == "--ping-timeout" && has_value) {
      opts.engine.ping_timeout = std::chrono::milliseconds(std::atoi(argv[++i]));
    } else if (arg == "--threads" && has_value) {
      opts.threads = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (arg == "--tls-cert" && has_value) {
      tls.cert_file = argv[++i];
    } else if (arg == "--tls-key" && has_value) {
      tls.key_file = argv[++i];
    } else {
      std::cerr << "usage: socketio_echo [--port N] [--eio3] [--msgpack] [--ping-interval MS] "
                   "[--ping-timeout MS] [--threads N] [--tls-cert FILE --tls-key FILE]\n";
      return 2;
    }
  }

  sio::server io(opts);
  io.on_connection(echo_handlers);
  io.of("/custom").on_connection(echo_handlers);
  bool secure = !tls.cert_file.empty();
  auto bound = secure ? io.listen("127.0.0.1", static_cast<std::uint16_t>(port), tls)
                      : io.listen("127.0.0.1", static_cast<std::uint16_t>(port));
  std::cout << "socketio_echo listening on " << (secure ? "https" : "http")
            << "://127.0.0.1:" << bound << "/socket.io/" << std::endl;
  io.run();
}
