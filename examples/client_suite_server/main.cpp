// client_suite_server: a Socket.IO server exercising the client's whole feature set (shared
// CONTRACTS.md): namespaces, middlewares, acks, binary, dates, unicode, connection state recovery.
//
//   client_suite_server [--port N] [--threads N]     (port: --port, else $PORT, else 3000)

#include <fmt/chrono.h>
#include <boost/asio/steady_timer.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include "socketio/socketio.hpp"

using namespace std::chrono_literals;

namespace {

// Date#toJSON(): ISO 8601 in UTC with milliseconds.
std::string now_iso() {
  auto now = std::chrono::system_clock::now();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     std::chrono::time_point_cast<std::chrono::seconds>(now), ms);
}

const sio::binary asdf{"asdfasdf"};

// Records which events of a multi-step exchange this socket has seen.
struct steps {
  bool abuff1 = false, blob1 = false, blob2 = false;
};

void main_namespace(sio::socket& s) {
  auto seen = std::make_shared<steps>();
  s.on("hi", [](sio::socket& s, const sio::args&) { s.emit("hi"); });
  s.on("echo", [](sio::socket&, const sio::args& a, sio::ack ack) { ack(a[0]); });
  s.on("ack", [](sio::socket& s, const sio::args&) {
    s.emit_with_ack("ack", {}, [weak = s.weak_from_this()](sio::ack_result r) {
      auto s = weak.lock();
      if (s && r.ok() && r.values.size() >= 2 && r.values[0].is_number() &&
          r.values[0].as_double() == 5 && r.values[1]["test"].truthy()) {
        s->emit("got it");
      }
    });
  });
  s.on("getAckDate", [](sio::socket&, const sio::args&, sio::ack ack) { ack(now_iso()); });
  s.on("getDate", [](sio::socket& s, const sio::args&) { s.emit("takeDate", now_iso()); });
  s.on("getDateObj", [](sio::socket& s, const sio::args&) {
    s.emit("takeDateObj", sio::object{{"date", now_iso()}});
  });
  s.on("getUtf8", [](sio::socket& s, const sio::args&) {
    for (const char* text :
         {"てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"}) {
      s.emit("takeUtf8", text);
    }
  });
  s.on("false", [](sio::socket& s, const sio::args&) { s.emit("false", false); });
  s.on("doge", [](sio::socket& s, const sio::args&) { s.emit("doge", asdf); });
  s.on("getbin", [](sio::socket& s, const sio::args&) { s.emit("takebin", asdf); });
  s.on("buffa", [](sio::socket& s, const sio::args& a) {
    if (a[0].is_binary()) s.emit("buffack");
  });
  s.on("blob", [](sio::socket& s, const sio::args& a) {
    if (a[0].is_binary()) s.emit("back");
  });
  auto is_json_buff = [](const sio::value& v) {
    return v["hello"].as_string() == "lol" && v["message"].is_binary() &&
           v["goodbye"].as_string() == "gotcha";
  };
  s.on("jsonbuff", [is_json_buff](sio::socket& s, const sio::args& a) {
    if (is_json_buff(a[0])) s.emit("jsonbuff-ack");
  });
  s.on("jsonblob", [is_json_buff](sio::socket& s, const sio::args& a) {
    if (is_json_buff(a[0])) s.emit("jsonblob-ack");
  });
  s.on("abuff1", [seen](sio::socket&, const sio::args& a) { seen->abuff1 = a[0].is_binary(); });
  s.on("abuff2", [seen](sio::socket& s, const sio::args&) {
    if (seen->abuff1) s.emit("abuff2-ack");
  });
  s.on("blob1", [seen](sio::socket&, const sio::args& a) { seen->blob1 = a[0].is_binary(); });
  s.on("blob2", [seen](sio::socket&, const sio::args& a) {
    seen->blob2 = seen->blob1 && a[0].as_string() == "second";
  });
  s.on("blob3", [seen](sio::socket& s, const sio::args& a) {
    if (seen->blob2 && a[0].is_binary()) s.emit("blob3-ack");
  });
  s.on("getHandshake",
       [](sio::socket& s, const sio::args&, sio::ack ack) { ack(s.handshake().to_value()); });
  s.on("getId", [](sio::socket& s, const sio::args&, sio::ack ack) { ack(s.id()); });
}

}  // namespace

int main(int argc, char** argv) {
  const char* env_port = std::getenv("PORT");
  int port = env_port ? std::atoi(env_port) : 3000;
  sio::server_options opts;
  opts.engine.ping_interval = 2000ms;
  opts.engine.ping_timeout = 20000ms;
  opts.engine.max_http_buffer_size = 1'000'000;
  opts.connection_state_recovery =
      sio::recovery_options{.max_disconnection_duration = 120s, .skip_middlewares = true};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view arg = argv[i];
    if (arg == "--port") port = std::atoi(argv[i + 1]);
    if (arg == "--threads") opts.threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
  }

  // Every request that would open a session waits at least 10 ms: a timer, never a sleep.
  opts.engine.allow_request = [](const eio::request_info&, eio::allow_request_callback done) {
    auto timer = std::make_shared<boost::asio::steady_timer>(eio::this_shard_executor(), 10ms);
    timer->async_wait(
        [timer, done = std::move(done)](boost::system::error_code) { done("", true); });
  };

  sio::server io(opts);
  io.use([](sio::socket& s, sio::next next) {
    bool fail = !s.handshake().query["fail"].as_string().empty();
    fail ? next(sio::connect_error{"Auth failed (main namespace)"}) : next();
  });
  io.on_connection(main_namespace);
  io.of("/foo").on_connection([](sio::socket& s) {
    s.on("getId", [](sio::socket& s, const sio::args&, sio::ack ack) { ack(s.id()); });
  });
  for (const char* name : {"/timeout_socket", "/valid", "/asd"}) io.of(name);
  io.of("/abc").on_connection(
      [](sio::socket& s) { s.emit("handshake", s.handshake().to_value()); });
  io.of("/no").use([](sio::socket&, sio::next next) {
    next(sio::connect_error{"Auth failed (custom namespace)"});
  });

  io.listen("127.0.0.1", static_cast<std::uint16_t>(port));
  std::cout << "client_suite_server listening on http://127.0.0.1:" << io.port() << "/socket.io/"
            << std::endl;
  io.run();
}
