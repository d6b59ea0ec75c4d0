// The whole engine on 127.0.0.1:0 with one and two shards, driven by Beast clients. With two
// shards, consecutive connections land on different shards, so these cover the cross-shard paths.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <mutex>

#include <boost/asio/local/stream_protocol.hpp>

#include "engineio/server.hpp"
#include "support/loopback.hpp"

using namespace engineio;
using namespace std::chrono_literals;
using sio_test::send_http;
using sio_test::sid_of;
using sio_test::ws_client;
namespace http = boost::beast::http;

namespace {

struct echo_handler : handler {
  void on_open(session&) override {}
  void on_message(session& s, std::string_view text) override { s.send_text(text); }
  void on_binary(session& s, std::string_view bytes) override { s.send_binary(bytes); }
  void on_close(session&, close_reason) override {}
};

class Loopback : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    options o;
    o.ping_interval = 5000ms;
    o.allow_eio3 = true;
    server_ = std::make_unique<server>(o, events_, GetParam());
    server_->listen("127.0.0.1", 0);
    server_->start();
  }
  void TearDown() override { server_->stop(); }
  std::uint16_t port() const { return server_->port(); }
  std::string handshake() {
    auto open = send_http(port(), http::verb::get, "/engine.io/?EIO=4&transport=polling");
    EXPECT_EQ(open.status, 200u);
    return sid_of(open.body);
  }

  echo_handler events_;
  std::unique_ptr<server> server_;
};

}  // namespace

TEST_P(Loopback, PollingEchoAcrossConnections) {
  auto sid = handshake();
  auto post = send_http(port(), http::verb::post, "/engine.io/?EIO=4&transport=polling&sid=" + sid,
                        "4hello\x1e"
                        "bAQID");
  EXPECT_EQ(post.status, 200u);
  EXPECT_EQ(post.body, "ok");
  auto poll = send_http(port(), http::verb::get, "/engine.io/?EIO=4&transport=polling&sid=" + sid);
  EXPECT_EQ(poll.status, 200u);
  EXPECT_EQ(poll.body,
            "4hello\x1e"
            "bAQID");
  EXPECT_EQ(poll.content_type, "text/plain; charset=UTF-8");
}

// A POST sent once the last one is answered overlaps nothing, whichever shard its connection is
// on. With two shards, the session's shard once learned of a POST's end after the next POST's
// start (another shard's) when it had answered the first itself: the session ended with a 400.
// The window is short, so rounds many enough that the old code failed in most runs.
TEST_P(Loopback, BackToBackPostsOnTwoConnectionsDoNotOverlap) {
  auto sid = handshake();
  auto url = "/engine.io/?EIO=4&transport=polling&sid=" + sid;
  sio_test::http_client first(port());
  sio_test::http_client second(port());
  for (int round = 0; round < 3000; ++round) {
    for (auto* client : {&first, &second}) {
      auto answer = client->send(http::verb::post, url, "6");
      ASSERT_EQ(answer.status, 200u) << "round " << round << ": " << answer.body;
    }
  }
}

// Node reads a text body as a JS string: bytes that are not UTF-8 become U+FFFD. Kept raw, they
// would reach WebSocket peers in text frames, which those peers must fail (1007).
TEST_P(Loopback, PollingBodiesAreDecodedAsUtf8WithReplacement) {
  auto sid = handshake();
  auto post = send_http(port(), http::verb::post, "/engine.io/?EIO=4&transport=polling&sid=" + sid,
                        "4a\xff"
                        "b\x1e"
                        "4\xe2\x82");
  EXPECT_EQ(post.body, "ok");
  auto poll = send_http(port(), http::verb::get, "/engine.io/?EIO=4&transport=polling&sid=" + sid);
  EXPECT_EQ(poll.body,
            "4a\uFFFD"
            "b\x1e"
            "4\uFFFD");

  auto v3 = sid_of(send_http(port(), http::verb::get, "/engine.io/?EIO=3&transport=polling").body);
  // The length counts UTF-16 units of the decoded text: "4" and one U+FFFD.
  post = send_http(port(), http::verb::post, "/engine.io/?EIO=3&transport=polling&sid=" + v3,
                   "2:4\xff");
  EXPECT_EQ(post.body, "ok");
  poll = send_http(port(), http::verb::get, "/engine.io/?EIO=3&transport=polling&sid=" + v3);
  EXPECT_EQ(poll.body, "2:4\uFFFD");

  // A v3 binary body marks each record as text or binary; its text records are checked alike.
  v3 = sid_of(send_http(port(), http::verb::get, "/engine.io/?EIO=3&transport=polling").body);
  post = send_http(port(), http::verb::post, "/engine.io/?EIO=3&transport=polling&sid=" + v3,
                   std::string("\x00\x03\xff"
                               "4a\xff",
                               6),
                   "application/octet-stream");
  EXPECT_EQ(post.body, "ok");
  poll = send_http(port(), http::verb::get, "/engine.io/?EIO=3&transport=polling&b64=1&sid=" + v3);
  EXPECT_EQ(poll.body, "3:4a\uFFFD");
}

TEST_P(Loopback, UnknownSidAndTransportMismatchGetNodesErrors) {
  auto unknown = send_http(port(), http::verb::get,
                           "/engine.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_EQ(unknown.body, R"({"code":1,"message":"Session ID unknown"})");
  auto sid = handshake();
  auto mismatch =
      send_http(port(), http::verb::get, "/engine.io/?EIO=4&transport=websocket&sid=" + sid);
  EXPECT_EQ(mismatch.body, R"({"code":3,"message":"Bad request"})");
}

// A WebSocket session's sid on plain requests: before, these reached polling code through an
// unchecked cast of the WebSocket transport (a heap overflow under ASan).
TEST_P(Loopback, AWebSocketSidOnPlainRequestsIsABadRequest) {
  ws_client ws(port(), "/engine.io/?EIO=4&transport=websocket");
  auto sid = sid_of(ws.read());
  for (const auto* transport : {"websocket", "polling"}) {
    auto target = std::string("/engine.io/?EIO=4&transport=") + transport + "&sid=" + sid;
    for (auto method : {http::verb::get, http::verb::post}) {
      auto answer = send_http(port(), method, target, "4injected");
      EXPECT_EQ(answer.status, 400u) << transport;
      EXPECT_EQ(answer.body, R"({"code":3,"message":"Bad request"})");
    }
  }
  ws.send_text("4still here");
  EXPECT_EQ(ws.read(), "4still here");  // nothing was injected, and the session lives on
}

TEST_P(Loopback, WebSocketEchoesTextAndBinary) {
  ws_client ws(port(), "/engine.io/?EIO=4&transport=websocket");
  EXPECT_EQ(ws.read().substr(0, 8), R"(0{"sid":)");
  ws.send_text("4héllo");
  EXPECT_EQ(ws.read(), "4héllo");
  ws.send_binary(std::string("\x00\xff", 2));
  EXPECT_EQ(ws.read(), "<bin>" + std::string("\x00\xff", 2));
}

TEST_P(Loopback, UpgradeFromPollingOnAnotherConnection) {
  auto sid = handshake();
  ws_client ws(port(), "/engine.io/?EIO=4&transport=websocket&sid=" + sid);
  ws.send_text("2probe");
  EXPECT_EQ(ws.read(), "3probe");
  ws.send_text("5");
  ws.send_text("4after");
  EXPECT_EQ(ws.read(), "4after");
  auto late_poll =
      send_http(port(), http::verb::get, "/engine.io/?EIO=4&transport=polling&sid=" + sid);
  EXPECT_EQ(late_poll.status, 400u);
  EXPECT_EQ(late_poll.body, R"({"code":3,"message":"Bad request"})");
}

TEST_P(Loopback, ParkedPollIsReleasedByTheProbeCheck) {
  auto sid = handshake();
  ws_client ws(port(), "/engine.io/?EIO=4&transport=websocket&sid=" + sid);
  ws.send_text("2probe");
  EXPECT_EQ(ws.read(), "3probe");
  auto poll = send_http(port(), http::verb::get, "/engine.io/?EIO=4&transport=polling&sid=" + sid);
  EXPECT_EQ(poll.body, "6");
}

TEST_P(Loopback, ServerStopClosesSessions) {
  handshake();
  EXPECT_EQ(server_->clients_count(), 1u);
  server_->stop();
  EXPECT_EQ(server_->clients_count(), 0u);
}

// Every request refused before it reaches a session is told to the connection_error listeners,
// with Node's code and context, before its answer goes out; a throwing listener is only logged.
TEST_P(Loopback, RefusedRequestsReachConnectionErrorListeners) {
  options o;
  o.allow_request = [](const request_info& req, const allow_request_callback& answer) {
    answer("no tokens here", req.query_param("token") != "bad");
  };
  echo_handler events;
  server srv(o, events, GetParam());
  std::mutex mutex;
  std::vector<std::string> seen;
  srv.on_connection_error([](const connection_error&) { throw std::runtime_error("faulty"); });
  srv.on_connection_error([&](const connection_error& e) {
    std::string line = std::to_string(static_cast<int>(e.code)) + " " + std::string(e.message());
    for (auto [name, value] : e.context) line += " " + std::string(name) + "=" + std::string(value);
    std::lock_guard lock(mutex);
    seen.push_back(line + " " + e.request.method);
  });
  srv.listen("127.0.0.1", 0);
  srv.start();
  auto get = [&](const std::string& query) {
    return send_http(srv.port(), http::verb::get, "/engine.io/?" + query).status;
  };
  EXPECT_EQ(get("EIO=4&transport=carrier-pigeon"), 400u);
  EXPECT_EQ(get("EIO=4&transport=polling&sid=nope"), 400u);
  EXPECT_EQ(send_http(srv.port(), http::verb::post, "/engine.io/?EIO=4&transport=polling").status,
            400u);
  EXPECT_EQ(get("EIO=9&transport=polling"), 400u);
  EXPECT_EQ(get("EIO=4&transport=polling&token=bad"), 403u);
  auto sid =
      sid_of(send_http(srv.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling").body);
  EXPECT_EQ(get("EIO=4&transport=websocket&sid=" + sid), 400u);
  EXPECT_THROW(ws_client(srv.port(), "/engine.io/?EIO=3&transport=websocket&sid=" + sid),
               boost::system::system_error);
  srv.stop();
  const std::vector<std::string> expected{
      "0 Transport unknown transport=carrier-pigeon GET",
      "1 Session ID unknown sid=nope GET",
      "2 Bad handshake method method=POST POST",
      "5 Unsupported protocol version protocol=3 GET",
      "4 Forbidden message=no tokens here GET",
      "3 Bad request name=TRANSPORT_MISMATCH transport=websocket previousTransport=polling GET",
      "3 Bad request name=PROTOCOL_MISMATCH protocol=3 previousProtocol=4 GET",
  };
  EXPECT_EQ(seen, expected);
}

// Engine middlewares: a throwing one fails its request (400 code 3, connection_error
// MIDDLEWARE_FAILURE), only a middleware's first answer counts, and they run in order.
TEST_P(Loopback, EngineMiddlewaresAreContained) {
  echo_handler events;
  server srv(options{}, events, GetParam());
  std::mutex mutex;
  std::vector<std::string> seen;
  srv.on_connection_error([&](const connection_error& e) {
    std::lock_guard lock(mutex);
    seen.emplace_back(e.context.first("name").value_or(""));
  });
  srv.use([](const request_info& req, string_pairs& headers, const middleware_next& next) {
    headers.emplace_back("X-Order", "first");
    if (req.query_param("throw")) throw std::runtime_error("middleware");
    next();
    next.respond(500, "too late");  // a second answer does nothing
  });
  std::vector<std::thread> answering;  // joined before the server stops
  srv.use([&](const request_info&, string_pairs& headers, const middleware_next& next) {
    headers.emplace_back("X-Split", "a\r\nInjected: 1");
    std::lock_guard lock(mutex);
    answering.emplace_back([next] { next(); });  // from another thread
  });
  srv.listen("127.0.0.1", 0);
  srv.start();
  auto ok = send_http(srv.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.headers["X-Order"], "first");
  EXPECT_EQ(ok.headers.count("X-Split"), 0u);
  EXPECT_EQ(ok.headers.count("Injected"), 0u);
  auto thrown =
      send_http(srv.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling&throw=1");
  EXPECT_EQ(thrown.status, 400u);
  EXPECT_EQ(thrown.body, R"({"code":3,"message":"Bad request"})");
  for (auto& t : answering) t.join();
  srv.stop();
  EXPECT_EQ(seen, std::vector<std::string>{"MIDDLEWARE_FAILURE"});
}

// A middleware's header replaces the CORS one of its name and gives way to the answer's own
// (Node's setHeader, then writeHead); an answer without a body has none; an interim status fails.
TEST_P(Loopback, EngineMiddlewareHeadersMergeAsNodes) {
  options o;
  o.cors.emplace();
  echo_handler events;
  server srv(o, events, GetParam());
  srv.use([](const request_info& req, string_pairs& headers, const middleware_next& next) {
    headers.emplace_back("Access-Control-Allow-Origin", "https://mine.example");
    headers.emplace_back("Cache-Control", "private");
    if (req.query_param("answer") == "204") return next.respond(204, "dropped");
    if (req.query_param("answer") == "101") return next.respond(101);
    next();
  });
  srv.listen("127.0.0.1", 0);
  srv.start();
  auto open = send_http(srv.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(open.status, 200u);
  EXPECT_EQ(open.headers.count(http::field::access_control_allow_origin), 1u);
  EXPECT_EQ(open.headers[http::field::access_control_allow_origin], "https://mine.example");
  EXPECT_EQ(open.headers.count(http::field::cache_control), 1u);
  EXPECT_EQ(open.headers[http::field::cache_control], "no-store");
  auto empty =
      send_http(srv.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling&answer=204");
  EXPECT_EQ(empty.status, 204u);
  EXPECT_EQ(empty.body, "");
  auto interim =
      send_http(srv.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling&answer=101");
  EXPECT_EQ(interim.status, 400u);
  srv.stop();
}

// Node's initial_headers and headers events: a throwing listener is logged, and a header that
// Node's setHeader would refuse (a CR LF would split the answer) is dropped.
TEST_P(Loopback, HeaderListenersAreContained) {
  echo_handler events;
  server srv(options{}, events, GetParam());
  srv.on_initial_headers([](string_pairs&, const request_info&) { throw std::runtime_error("x"); });
  srv.on_initial_headers([](string_pairs& headers, const request_info&) {
    headers.emplace_back("X-Split", "a\r\nInjected: 1");
    headers.emplace_back("X-Good", "1");
  });
  srv.on_headers([](string_pairs& headers, const request_info& req) {
    headers.emplace_back("X-Method", req.method);
  });
  srv.listen("127.0.0.1", 0);
  srv.start();
  auto open = send_http(srv.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(open.status, 200u);
  EXPECT_EQ(open.headers["X-Good"], "1");
  EXPECT_EQ(open.headers["X-Method"], "GET");
  EXPECT_EQ(open.headers.count("X-Split"), 0u);
  EXPECT_EQ(open.headers.count("Injected"), 0u);
  auto posted = send_http(srv.port(), http::verb::post,
                          "/engine.io/?EIO=4&transport=polling&sid=" + sid_of(open.body), "4hi");
  EXPECT_EQ(posted.headers["X-Method"], "POST");
  EXPECT_EQ(posted.headers.count("X-Good"), 0u);  // not a handshake
  srv.stop();
}

// Node's path handling: "/x" and "/x/" both answer at "/x/", and without add_trailing_slash at
// "/x" too (with the query right after it).
TEST_P(Loopback, PathGetsItsTrailingSlashAsInNode) {
  auto status_of = [&](const std::string& path, bool add_trailing_slash, const std::string& url) {
    options o;
    o.path = path;
    o.add_trailing_slash = add_trailing_slash;
    echo_handler events;
    server srv(o, events, GetParam());
    srv.listen("127.0.0.1", 0);
    srv.start();
    auto status = send_http(srv.port(), http::verb::get, url).status;
    srv.stop();
    return status;
  };
  EXPECT_EQ(status_of("/x", true, "/x/?EIO=4&transport=polling"), 200u);
  EXPECT_EQ(status_of("/x/", true, "/x/?EIO=4&transport=polling"), 200u);
  EXPECT_EQ(status_of("/x", true, "/x?EIO=4&transport=polling"), 404u);
  EXPECT_EQ(status_of("/x/", false, "/x?EIO=4&transport=polling"), 200u);
  EXPECT_EQ(status_of("/", true, "/?EIO=4&transport=polling"), 200u);
}

INSTANTIATE_TEST_SUITE_P(Shards, Loopback, ::testing::Values(1u, 2u),
                         [](const auto& info) { return std::to_string(info.param) + "_shards"; });

// A hook that throws refuses the request (403) instead of ending the process or hanging it.
TEST(AllowRequest, AThrowingHookRefusesTheRequest) {
  options o;
  o.allow_request = [](const request_info&, const allow_request_callback&) {
    throw std::runtime_error("database down");
  };
  echo_handler events;
  server s(o, events);
  s.listen("127.0.0.1", 0);
  s.start();
  auto answer = send_http(s.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(answer.status, 403u);
  s.stop();
}

// Node's ws takes window bits of 8; Beast refuses them, which once ended the shard thread at the
// first upgrade. The server uses 9 instead.
TEST(PerMessageDeflate, WindowBitsOfEightServeUpgrades) {
  options o;
  o.per_message_deflate =
      per_message_deflate_options{.server_max_window_bits = 8, .client_max_window_bits = 8};
  echo_handler events;
  server srv(o, events, 1);
  srv.listen("127.0.0.1", 0);
  srv.start();
  ws_client ws(srv.port(), "/engine.io/?EIO=4&transport=websocket");
  EXPECT_EQ(ws.read().substr(0, 8), R"(0{"sid":)");
  ws.send_text("4hello");
  EXPECT_EQ(ws.read(), "4hello");
  srv.stop();
}

// Node's generateId: an id that is unusable, already open or thrown falls back to ours; custom
// ids reach their shard through the shared table.
TEST(GenerateId, CustomIdsRouteAndBadOnesFallBack) {
  options o;
  o.generate_id = [](const request_info& req) -> std::string {
    auto tag = std::string(req.query_param("tag").value_or(""));
    if (tag == "throw") throw std::runtime_error("id service down");
    return tag;
  };
  echo_handler events;
  server srv(o, events, 2);
  srv.listen("127.0.0.1", 0);
  srv.start();
  auto open = [&](const std::string& tag) {
    auto res =
        send_http(srv.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling&tag=" + tag);
    EXPECT_EQ(res.status, 200u);
    return sid_of(res.body);
  };
  for (int i = 0; i < 4; ++i) {  // both shards
    auto tag = "user-" + std::to_string(i);
    ASSERT_EQ(open(tag), tag);
    auto url = "/engine.io/?EIO=4&transport=polling&sid=" + tag;
    EXPECT_EQ(send_http(srv.port(), http::verb::post, url, "4hi").status, 200u);
    EXPECT_EQ(send_http(srv.port(), http::verb::get, url).body, "4hi");
  }
  EXPECT_EQ(open("user-0").size(), 20u);  // in use
  EXPECT_EQ(open("a%22b").size(), 20u);   // not URL-safe
  EXPECT_EQ(open(std::string(129, 'x')).size(), 20u);
  EXPECT_EQ(open("throw").size(), 20u);
  srv.stop();
}

namespace {

using tcp = boost::asio::ip::tcp;

struct address_recorder : handler {
  void on_open(session& s) override {
    std::lock_guard lock(mutex);
    addresses.push_back(s.request().remote_address);
  }
  void on_message(session&, std::string_view) override {}
  void on_binary(session&, std::string_view) override {}
  void on_close(session&, close_reason) override {}
  std::mutex mutex;
  std::vector<std::string> addresses;
};

// A handshake from `from` to the server at `to`:`port`; the status.
unsigned handshake_over(const std::string& from, const std::string& to, std::uint16_t port) {
  boost::asio::io_context ctx;
  boost::beast::tcp_stream stream(ctx);
  stream.socket().open(boost::asio::ip::make_address(to).is_v6() ? tcp::v6() : tcp::v4());
  stream.socket().bind({boost::asio::ip::make_address(from), 0});
  stream.connect(tcp::endpoint(boost::asio::ip::make_address(to), port));
  http::request<http::string_body> req{http::verb::get, "/engine.io/?EIO=4&transport=polling", 11};
  req.set(http::field::host, "x");
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.result_int();
}

}  // namespace

// IPv6, and "::" taking IPv4 clients too (dual stack), whose address reads as Node gives it:
// "::ffff:127.0.0.1".
TEST(Listen, Ipv6AndDualStack) {
  address_recorder events;
  server v6_only(options{}, events);
  v6_only.listen("::1", 0);
  v6_only.start();
  EXPECT_EQ(handshake_over("::1", "::1", v6_only.port()), 200u);

  server dual(options{}, events);
  dual.listen("::", 0);
  dual.start();
  EXPECT_EQ(handshake_over("127.0.0.1", "127.0.0.1", dual.port()), 200u);
  EXPECT_EQ(handshake_over("::1", "::1", dual.port()), 200u);

  v6_only.stop();  // on_open may run after the answer is out: the shards have it done once joined
  dual.stop();
  std::lock_guard lock(events.mutex);
  EXPECT_EQ(events.addresses, (std::vector<std::string>{"::1", "::ffff:127.0.0.1", "::1"}));
}

// A Unix domain socket beside TCP, over two shards: a polling session upgraded on another
// connection (which may move to the session's shard), no remote address, and a socket file
// left by an earlier server replaced.
TEST(Listen, UnixDomainSocket) {
  namespace local = boost::asio::local;
  auto path = (std::filesystem::temp_directory_path() /
               ("sio-test-" + std::to_string(::getpid()) + ".sock"))
                  .string();
  address_recorder events;
  {
    server earlier(options{}, events);
    earlier.listen_unix(path);  // leaves its socket file behind
  }
  server s(options{}, events, 2);
  s.listen("127.0.0.1", 0);
  s.listen_unix(path);
  s.start();
  // A live socket is not taken over (Node's EADDRINUSE), and errors name the path.
  server second(options{}, events);
  try {
    second.listen_unix(path);
    ADD_FAILURE() << "a live socket was taken over";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), boost::asio::error::address_in_use);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_THROW(second.listen_unix("/tmp/" + std::string(200, 'x')), boost::system::system_error);

  boost::asio::io_context ctx;
  auto request = [&](const std::string& target) {
    boost::beast::basic_stream<local::stream_protocol> stream(ctx);
    stream.connect(local::stream_protocol::endpoint(path));
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "x");
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res;
  };
  auto open = request("/engine.io/?EIO=4&transport=polling");
  ASSERT_EQ(open.result_int(), 200u);
  auto sid = sio_test::sid_of(open.body());
  for (int i = 0; i < 4; ++i) {  // connections dealt to both shards: some upgrades move
    boost::beast::websocket::stream<local::stream_protocol::socket> ws(ctx);
    ws.next_layer().connect(local::stream_protocol::endpoint(path));
    ws.handshake("x", "/engine.io/?EIO=4&transport=websocket&sid=" + sid);
    ws.write(boost::asio::buffer(std::string("2probe")));
    boost::beast::flat_buffer buffer;
    ws.read(buffer);
    EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "3probe");
    ws.close(boost::beast::websocket::close_code::normal);
  }
  EXPECT_EQ(
      sio_test::send_http(s.port(), http::verb::get, "/engine.io/?EIO=4&transport=polling").status,
      200u);
  s.stop();
  std::lock_guard lock(events.mutex);
  EXPECT_EQ(events.addresses, (std::vector<std::string>{"", "127.0.0.1"}));
  std::filesystem::remove(path);
}
