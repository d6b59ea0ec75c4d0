// engineio_options: an echo server whose Engine.IO options come from flags, so the interop tests
// can compare each option's wire behaviour with Node's engine.io configured the same way.
//
//   engineio_options [--port N] [--threads N] [--path P] [--eio3] [--cors-origin O]...
//                    [--cors-credentials] [--cookie] [--deny-param] [--initial-packet TEXT]
//                    [--deflate] [--no-compression] [--websocket-only] [--polling-only]
//                    [--no-upgrades] [--max-connections N] [--headers] [--cookie-attributes]
//                    [--middlewares] [--deflate-no-context] [--deflate-window-bits]
//                    [--cors-preflight-continue] [--cors-delegate] [--generate-id]
//
// --generate-id: session ids "id-<the query's idtag parameter>".
// --cors-preflight-continue: cors for http://a.example whose preflights go on to the server.
// --cors-delegate: a CORS delegate answering 10 ms later, from the gate's thread: a query with
// cors=fail fails the request, cors=off turns CORS off, anything else gets origins
// http://a.example and http://b.example with credentials.
// --deflate-no-context: --deflate with server and client context takeover off.
// --deflate-window-bits: --deflate with a server window of 2^10 and a client window of 2^11.
// --middlewares: two engine middlewares. The first adds "X-Middleware: 1" to every answer; the
// second answers 10 ms later, from the gate's thread: a query with mw=fail fails the request,
// mw=401 is answered 401 "no entry", anything else goes on.
// --cookie-attributes: the cookie with every attribute: Max-Age 60, Domain example.com,
// Expires 1700000000 s after the epoch, Secure, Partitioned, Priority High, SameSite None.
// --headers: the initial_headers listener adds "X-Initial: 1", the headers listener
// "X-Transport: <the transport query parameter>".
// --deny-param: allow_request answers after a 10 ms timer and refuses requests whose query has
// deny=1, with the message "denied by test".

#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>

#include "delayed_runner.hpp"
#include "engineio/server.hpp"

using namespace std::chrono_literals;

namespace {

struct echo : eio::handler {
  void on_open(eio::session&) override {}
  void on_message(eio::session& s, std::string_view text) override { s.send_text(text); }
  void on_binary(eio::session& s, std::string_view bytes) override { s.send_binary(bytes); }
  void on_close(eio::session&, eio::close_reason) override {}
};

}  // namespace

int main(int argc, char** argv) {
  eio::options opts;
  opts.ping_interval = 300ms;
  opts.ping_timeout = 200ms;
  int port = 3001;
  unsigned threads = 1;
  sio_test::delayed_runner gate;
  bool with_headers = false;
  bool with_middlewares = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (arg == "--port") {
      port = std::atoi(value().c_str());
    } else if (arg == "--threads") {
      threads = static_cast<unsigned>(std::atoi(value().c_str()));
    } else if (arg == "--path") {
      opts.path = value();
    } else if (arg == "--eio3") {
      opts.allow_eio3 = true;
    } else if (arg == "--cors-origin") {
      if (!opts.cors) {
        opts.cors.emplace();
        opts.cors->origin.clear();
      }
      opts.cors->origin.push_back(value());
    } else if (arg == "--generate-id") {
      opts.generate_id = [](const eio::request_info& req) {
        return "id-" + std::string(req.query_param("idtag").value_or(""));
      };
    } else if (arg == "--cors-preflight-continue") {
      opts.cors = eio::cors_options{.origin = {"http://a.example"}, .preflight_continue = true};
    } else if (arg == "--cors-delegate") {
      opts.cors_for_request = [&gate](const eio::request_info& req, eio::cors_callback done) {
        auto mode = std::string(req.query_param("cors").value_or(""));
        gate.later(10ms, [mode, done = std::move(done)] {
          if (mode == "fail") return done(std::nullopt);
          if (mode == "off") return done(eio::cors_options{.origin = {}});
          done(eio::cors_options{.origin = {"http://a.example", "http://b.example"},
                                 .credentials = true});
        });
      };
    } else if (arg == "--cors-credentials") {
      if (!opts.cors) opts.cors.emplace();
      opts.cors->credentials = true;
    } else if (arg == "--cookie") {
      opts.cookie.emplace();
    } else if (arg == "--cookie-attributes") {
      opts.cookie = eio::cookie_options{
          .domain = "example.com",
          .same_site = "None",
          .secure = true,
          .partitioned = true,
          .priority = "High",
          .max_age = 60s,
          .expires = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
    } else if (arg == "--deny-param") {
      opts.allow_request = [&gate](const eio::request_info& req, eio::allow_request_callback done) {
        bool deny = req.query_param("deny") == "1";
        gate.later(10ms,
                   [deny, done = std::move(done)] { done(deny ? "denied by test" : "", !deny); });
      };
    } else if (arg == "--initial-packet") {
      opts.initial_packet = value();
    } else if (arg == "--deflate") {
      opts.per_message_deflate.emplace();
    } else if (arg == "--deflate-no-context") {
      opts.per_message_deflate = eio::per_message_deflate_options{
          .server_no_context_takeover = true, .client_no_context_takeover = true};
    } else if (arg == "--deflate-window-bits") {
      opts.per_message_deflate = eio::per_message_deflate_options{.server_max_window_bits = 10,
                                                                  .client_max_window_bits = 11};
    } else if (arg == "--no-compression") {
      opts.http_compression.reset();
    } else if (arg == "--websocket-only") {
      opts.transports = {eio::transport_kind::websocket};
    } else if (arg == "--polling-only") {
      opts.transports = {eio::transport_kind::polling};
    } else if (arg == "--no-upgrades") {
      opts.allow_upgrades = false;
    } else if (arg == "--max-connections") {
      opts.max_connections = std::strtoull(value().c_str(), nullptr, 10);
    } else if (arg == "--headers") {
      with_headers = true;
    } else if (arg == "--middlewares") {
      with_middlewares = true;
    } else {
      std::cerr << "engineio_options: unknown flag " << arg << "\n";
      return 2;
    }
  }
  echo events;
  eio::server server(opts, events, threads);
  if (with_middlewares) {
    server.use(
        [](const eio::request_info&, eio::string_pairs& headers, const eio::middleware_next& next) {
          headers.emplace_back("X-Middleware", "1");
          next();
        });
    server.use([&gate](const eio::request_info& req, eio::string_pairs&,
                       const eio::middleware_next& next) {
      auto mw = std::string(req.query_param("mw").value_or(""));
      gate.later(10ms, [mw, next] {
        if (mw == "fail") return next.fail();
        if (mw == "401") return next.respond(401, "no entry");
        next();
      });
    });
  }
  if (with_headers) {
    server.on_initial_headers([](eio::string_pairs& headers, const eio::request_info&) {
      headers.emplace_back("X-Initial", "1");
    });
    server.on_headers([](eio::string_pairs& headers, const eio::request_info& req) {
      headers.emplace_back("X-Transport", req.query_param("transport").value_or(""));
    });
  }
  server.listen("127.0.0.1", static_cast<std::uint16_t>(port));
  std::cout << "engineio_options listening on http://127.0.0.1:" << server.port() << opts.path
            << std::endl;
  server.run();
}
