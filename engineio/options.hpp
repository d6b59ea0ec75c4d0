#pragma once
/// Server options, named after Node's engine.io options (camelCase → snake_case) with Node's
/// defaults.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/protocol.hpp"
#include "engineio/request.hpp"

namespace engineio {

using std::chrono::milliseconds;

/// Node's `cors` option (the `cors` npm package's options).
struct cors_options {
  /// Allowed origins: `{"*"}` answers `*`; one other entry is sent as is; several entries are
  /// matched against the request's Origin and reflected when one matches. Empty (Node's
  /// `origin: false`): no CORS for the request, and a preflight goes on to the server.
  std::vector<std::string> origin{"*"};
  /// When set, replaces `origin`: the request's Origin is reflected when it returns true (Node's
  /// `origin: true` is a predicate that always returns true).
  std::function<bool(std::string_view origin)> origin_predicate{};
  bool credentials = false;
  std::vector<std::string> methods{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"};
  /// Empty: reflect the preflight's Access-Control-Request-Headers.
  std::vector<std::string> allowed_headers{};
  std::vector<std::string> exposed_headers{};
  std::optional<std::chrono::seconds> max_age{};
  unsigned options_success_status = 204;
  /// Node's `preflightContinue`: a preflight gets its headers and goes on to the engine
  /// middlewares and the server (which refuses an OPTIONS request) instead of being answered.
  bool preflight_continue = false;
};

/// The options for one request from a CORS delegate, or nullopt to fail the request (Node's
/// `callback(err)`: 400 code 3, MIDDLEWARE_FAILURE).
using cors_callback = std::function<void(std::optional<cors_options>)>;
/// Node's `cors: (req, callback) => ...` (the cors package's options delegate): decides per
/// request, later and from any thread if need be (an origin looked up in a database).
using cors_delegate = std::function<void(const request_info& req, cors_callback done)>;

/// Node's `cookie` option: the sticky-session cookie holding the sid.
/// The server throws std::invalid_argument at construction for a value Node's `cookie`
/// package would refuse at the first handshake.
struct cookie_options {
  std::string name = "io";
  std::string path = "/";
  std::string domain{};  // none
  bool http_only = true;
  std::string same_site = "Lax";  // "", "Strict", "Lax" or "None"
  bool secure = false;
  bool partitioned = false;
  std::string priority{};  // "", "Low", "Medium" or "High"
  std::optional<std::chrono::seconds> max_age{};
  std::optional<std::chrono::system_clock::time_point> expires{};
};

/// Node's `httpCompression`: gzip or deflate for polling responses of at least `threshold` bytes.
struct http_compression_options {
  std::size_t threshold = 1024;
  int level = -1;  // zlib's 0..9; -1 is zlib's default (6), as Node
};

/// Node's `perMessageDeflate` for WebSocket frames.
struct per_message_deflate_options {
  std::size_t threshold = 1024;
  int level = 6;  // zlib's 0..9 (Node's zlibDeflateOptions.level)
  /// ws's serverNoContextTakeover and clientNoContextTakeover: each message compressed on its
  /// own, which saves the 32 KiB window per connection and direction at some ratio.
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  /// ws's serverMaxWindowBits and clientMaxWindowBits, 8..15 (15 is "not set"): the LZ77
  /// window is 2^bits bytes; 8 is negotiated as 9 (zlib treats 8 as 9). As in ws, an
  /// upgrade whose offers all ask a smaller server window, or, with a client window set, do not
  /// offer client_max_window_bits or offer a smaller one, is refused with 400.
  int server_max_window_bits = 15;
  int client_max_window_bits = 15;
  /// zlib's memLevel, 1..9, for the server's deflate state. Node (zlib) uses 8; 4, Beast's
  /// default, keeps each compressing connection about 120 KiB lighter for a slightly worse ratio.
  int mem_level = 4;
};

/// Answer of an `allow_request` hook: `success == false` refuses with 403 and `message`.
using allow_request_callback = std::function<void(std::string message, bool success)>;

/// Node's `allowRequest(req, callback)`; may answer later and from any thread.
using allow_request_hook = std::function<void(const request_info&, allow_request_callback)>;

struct options {
  /// Where the engine answers: Node's `path`, given one trailing slash as Node's
  /// `addTrailingSlash` does; with `add_trailing_slash` off, "/engine.io" also takes
  /// "/engine.io?EIO=4&..." (and, as in Node, any path that starts so).
  std::string path = "/engine.io/";
  bool add_trailing_slash = true;
  milliseconds ping_interval{25000};
  milliseconds ping_timeout{20000};
  milliseconds upgrade_timeout{10000};
  /// Node's `maxHttpBufferSize`: the largest message or POST body accepted.
  std::size_t max_http_buffer_size = 1'000'000;
  std::vector<transport_kind> transports{transport_kind::polling, transport_kind::websocket};
  bool allow_upgrades = true;
  /// Node's `allowEIO3`: also speak Engine.IO v3 (then a request without `EIO` is v3).
  bool allow_eio3 = false;
  std::optional<cors_options> cors{};
  /// Per-request CORS options; when set, `cors` is not used. It runs before the engine
  /// middlewares, as Node's cors middleware does.
  cors_delegate cors_for_request{};
  std::optional<cookie_options> cookie{};
  allow_request_hook allow_request{};
  /// Node's `engine.generateId`: the id of a new session, from its handshake request. It must be
  /// 1..128 characters of [A-Za-z0-9_.~-] and unique among open sessions; otherwise (or when it
  /// throws) the server logs a warning and uses an id of its own. Custom ids are found through
  /// a table shared by the shards, which the default ids (the shard in their first character)
  /// do without.
  std::function<std::string(const request_info& req)> generate_id{};
  /// Node's `initialPacket`: a message sent right after the open packet.
  std::optional<std::string> initial_packet{};
  std::optional<per_message_deflate_options> per_message_deflate{};  // off, as in Node
  std::optional<http_compression_options> http_compression = http_compression_options{};

  /// Not in Node, whose write buffer grows without bound: bytes a session may hold queued for a
  /// client that does not read (what waits behind the write in flight). Past it, the session is
  /// closed with "transport error". Broadcast bytes are shared, so this bounds each session's
  /// queue, not a copy per client.
  std::size_t max_buffered_bytes = std::size_t{8} << 20;
  /// Open TCP connections (HTTP, long-polls, WebSockets, raw peers); at the limit the server
  /// stops accepting and the kernel's backlog holds the rest. 0, the default: the soft
  /// RLIMIT_NOFILE when the server is made, less 128 fds for the application. Node's
  /// maxConnections: unlimited.
  std::size_t max_connections = 0;
  /// Not in Node (ws has none): a WebSocket write that has not completed by then closes the
  /// transport, so a client that stops reading cannot pin a stuck write and its socket.
  std::chrono::seconds websocket_write_timeout{30};
  /// A request must arrive whole within this time (slowloris guard; Node: headersTimeout 60 s).
  std::chrono::seconds request_timeout{30};
  /// Largest request header block; over it the answer is 431 as Node's (16 KiB, like Node).
  std::size_t max_header_bytes = std::size_t{16} * 1024;
};

}  // namespace engineio
