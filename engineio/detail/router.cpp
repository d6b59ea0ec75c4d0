// Request routing of the engine, following Node's engine.io `Server#verify`, `handshake`,
// `handleRequest` and `handleUpgrade`, in the same order of checks so the same request gets the
// same error.

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <cctype>

#include "engineio/detail/cookie.hpp"
#include "engineio/detail/cors.hpp"
#include "engineio/detail/engine.hpp"
#include "engineio/detail/http_routes.hpp"
#include "engineio/detail/jsonp.hpp"
#include "engineio/detail/middleware_chain.hpp"
#include "engineio/detail/plain_websocket_transport.hpp"
#include "engineio/detail/polling_transport.hpp"
#include "engineio/detail/timer.hpp"
#include "engineio/detail/websocket_handshake.hpp"
#include "engineio/detail/websocket_peer.hpp"
#include "engineio/detail/websocket_transport.hpp"
#include "engineio/log.hpp"
#include "engineio/sid.hpp"

namespace engineio::detail {
namespace {

namespace websocket = beast::websocket;

struct parsed_query {
  query_params params;

  // Node builds its query with Object.fromEntries, so a repeated key keeps its last value.
  std::optional<std::string_view> get(std::string_view key) const { return params.last(key); }
};

parsed_query parse_query(std::string_view target) {
  auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  return {decode_query(target.substr(question + 1))};
}

std::optional<transport_kind> parse_transport(std::string_view name) {
  if (name == "polling") return transport_kind::polling;
  if (name == "websocket") return transport_kind::websocket;
  return std::nullopt;
}

// Node refuses an Origin header with characters outside what HTTP allows in a field value.
bool invalid_origin(const request& req) {
  auto origin = req[http::field::origin];
  return std::any_of(origin.begin(), origin.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u != '\t' && (u < 0x20 || u == 0x7f);
  });
}

// Node's context of a PROTOCOL_MISMATCH or UNSUPPORTED_PROTOCOL_VERSION: the EIO asked for.
std::string_view eio_of(protocol_version protocol) {
  return protocol == protocol_version::v4 ? "4" : "3";
}

// The protocol in the context of Node's PROTOCOL_MISMATCH and UNSUPPORTED_PROTOCOL_VERSION:
// anything but 4 is 3 there.
std::string_view node_protocol(const parsed_query& query) {
  return query.get("EIO") == "4" ? "4" : "3";
}

// The protocol a request names: EIO=4, or EIO=3 or none at all (socket.io-client-swift 15
// sends none) for 3. Node takes any other value for 3 too; we refuse it.
std::optional<protocol_version> requested_protocol(const parsed_query& query) {
  auto eio = query.get("EIO");
  if (eio == "4") return protocol_version::v4;
  if (!eio || eio == "3") return protocol_version::v3;
  return std::nullopt;
}

void write_and_close(counted_stream counted, response res) {
  auto stream = std::make_shared<connection_stream>(std::move(counted.stream));
  auto shared = std::make_shared<response>(std::move(res));
  auto slot = std::make_shared<connection_slot>(std::move(counted.slot));
  stream->expires_after(std::chrono::seconds(5));
  http::async_write(*stream, *shared, [stream, shared, slot](beast::error_code, std::size_t) {
    beast::error_code ec;
    stream->next_layer().socket().shutdown(stream_socket::shutdown_send, ec);
  });
}

// `from` over `into`: a name in `from` replaces that name's values in `into`, as a later
// setHeader does in Node.
void merge_headers(http::fields& into, const http::fields& from) {
  for (const auto& field : from) into.erase(field.name_string());
  for (const auto& field : from) into.insert(field.name_string(), field.value());
}

// The CORS headers (Node's cors middleware runs first, on upgrades too), then the engine
// middlewares' (`extra`).
http::fields engine_headers(const request& req, const options& opts, const http::fields& extra) {
  http::fields headers;
  if (opts.cors && !opts.cors_for_request) add_cors_headers(*opts.cors, req, false, headers);
  merge_headers(headers, extra);
  return headers;
}

// Completes the WebSocket handshake with `extra` headers in the 101, then calls `then` with the
// open stream and its connection slot (or drops both).
template <typename Then>
void accept_websocket(counted_stream counted, request req, const options& opts, http::fields extra,
                      Then then, std::function<void()> on_failure = {}) {
  auto ws = std::make_shared<websocket_stream>(std::move(counted.stream));
  auto slot = std::make_shared<connection_slot>(std::move(counted.slot));
  configure_websocket(*ws, opts);
  if (opts.per_message_deflate) {
    if (auto offer = deflate_offer_to_accept(req, *opts.per_message_deflate)) {
      req.set(http::field::sec_websocket_extensions, *offer);
    } else {
      req.erase(http::field::sec_websocket_extensions);
    }
  }
  if (auto subprotocol = first_subprotocol(req); !subprotocol.empty()) {
    extra.set(http::field::sec_websocket_protocol, subprotocol);  // ws takes the first offered
  }
  if (extra.begin() != extra.end()) {
    ws->set_option(websocket::stream_base::decorator(
        [extra = std::move(extra)](websocket::response_type& res) {
          for (const auto& field : extra) res.insert(field.name_string(), field.value());
        }));
  }
  auto shared_req = std::make_shared<request>(std::move(req));
  ws->async_accept(*shared_req, [ws, slot, shared_req, then = std::move(then),
                                 on_failure = std::move(on_failure)](beast::error_code ec) mutable {
    if (!ec) return then(std::move(*ws), std::move(*slot));
    if (on_failure) on_failure();
  });
}

// The transport for an accepted WebSocket: our own framing with corked writes, unless
// permessage-deflate may be negotiated or the stream is TLS, which Beast's stream does. `attach`
// hands it to its session and says whether to start reading.
template <typename Attach>
void open_websocket_transport(websocket_stream ws, connection_slot slot, protocol_version protocol,
                              const std::shared_ptr<const options>& opts, Attach attach) {
  auto run = [&](auto transport) {
    if (attach(transport)) {
      transport->start();
    } else {
      transport->close();
    }
  };
  if (opts->per_message_deflate || ws.next_layer().tls()) {
    run(std::make_shared<websocket_transport>(std::move(ws), std::move(slot), protocol, opts));
  } else {
    run(std::make_shared<plain_websocket_transport>(ws.next_layer().release_socket(),
                                                    std::move(slot), protocol, opts));
  }
}

// Node closes a WebSocket it will not use right after the handshake (no close code).
void accept_and_close(counted_stream counted, request req, const options& opts,
                      http::fields headers) {
  accept_websocket(std::move(counted), std::move(req), opts, std::move(headers),
                   [](websocket_stream ws, connection_slot slot) {
                     auto holder = std::make_shared<websocket_stream>(std::move(ws));
                     auto kept = std::make_shared<connection_slot>(std::move(slot));
                     holder->async_close(websocket::close_code::none,
                                         [holder, kept](beast::error_code) {});
                   });
}

}  // namespace

bool engine::enabled(transport_kind kind) const {
  return std::find(opts_->transports.begin(), opts_->transports.end(), kind) !=
         opts_->transports.end();
}

// As Node's attach intercepts only its path (the client bundle is under it too): the server's
// routes, mounts and raw WebSocket endpoints are for its own listeners, and a request line
// cannot tell an upgrade from a plain request anyway.
bool engine::owns(std::string_view request_line) const {
  auto method_end = request_line.find(' ');
  if (method_end == std::string_view::npos) return false;
  auto target = request_line.substr(method_end + 1);
  target = target.substr(0, target.find(' '));
  auto path = target.substr(0, target.find('?'));
  return path.substr(0, opts_->path.size()) == opts_->path;
}

void engine::route(std::shared_ptr<http_connection> conn, request req) {
  auto target = req.target();
  auto path = target.substr(0, target.find('?'));
  if (websocket::is_upgrade(req)) {
    if (const auto* endpoint = routes_.find_websocket(path)) {
      return accept_raw_websocket(*endpoint, conn, std::move(req));
    }
  } else if (const auto* handler = routes_.find_route(req.method(), req.method_string(), path)) {
    auto res = answer_route(*handler, req, conn->peer(), 0);
    return pending_request(std::move(req), std::move(conn), {}).respond(std::move(res));
  }
  if (path.substr(0, opts_->path.size()) != opts_->path) {
    auto [mount, prefix_length] = routes_.find_mount(path);
    if (mount && !websocket::is_upgrade(req)) {
      auto res = answer_route(*mount, req, conn->peer(), prefix_length);
      return pending_request(std::move(req), std::move(conn), {}).respond(std::move(res));
    }
    pending_request(std::move(req), std::move(conn), {})
        .respond(http::status::not_found, "Not Found", "text/plain");
    return;
  }
  // Without the websocket transport Node attaches no upgrade handler, so an upgrade request is
  // answered as any other request (a JSON error).
  bool upgrade = enabled(transport_kind::websocket) && is_upgrade_request(req);
  // Node's cors middleware comes before the user's and answers a preflight itself, unless told
  // to let it go on (then the server refuses the OPTIONS request, with the preflight headers).
  http::fields preflight;
  const auto& cors = opts_->cors;
  if (!upgrade && cors && !opts_->cors_for_request && cors_enabled(*cors) &&
      req.method() == http::verb::options) {
    add_cors_headers(*cors, req, true, preflight);
    if (!cors->preflight_continue) {
      pending_request(std::move(req), std::move(conn), std::move(preflight))
          .respond(static_cast<http::status>(cors->options_success_status));
      return;
    }
  }
  if (middlewares_.empty()) {
    return route_engine(std::move(conn), std::move(req), upgrade, std::move(preflight), nullptr);
  }
  run_middlewares(conn, std::move(req), upgrade, std::move(preflight));
}

void engine::route_engine(std::shared_ptr<http_connection> conn, request req, bool upgrade,
                          http::fields extra, std::shared_ptr<request_locals> locals) {
  auto query = parse_query(req.target());
  auto transport_name = std::string(query.get("transport").value_or(""));
  auto sid = std::string(query.get("sid").value_or(""));
  if (upgrade) {
    return route_upgrade(std::move(conn), std::move(req), transport_name, sid, std::move(extra),
                         std::move(locals));
  }
  auto headers = engine_headers(req, *opts_, extra);
  route_polling(pending_request(std::move(req), std::move(conn), std::move(headers)),
                transport_name, sid, std::move(locals));
}

void engine::run_middlewares(const std::shared_ptr<http_connection>& conn, request req,
                             bool upgrade, http::fields preflight) {
  auto peer = conn->peer();
  auto info = make_request_info(req, parse_query(req.target()).params, peer);
  auto r = std::make_shared<request>(std::move(req));
  auto done = [this, conn, r, upgrade, peer,
               preflight = std::move(preflight)](middleware_outcome out) mutable {
    using kind = middleware_outcome::kind;
    merge_headers(preflight, out.headers);
    out.headers = std::move(preflight);
    if (out.what == kind::proceed) {
      return route_engine(conn, std::move(*r), upgrade, std::move(out.headers),
                          std::move(out.locals));
    }
    auto headers = upgrade ? out.headers : engine_headers(*r, *opts_, out.headers);
    if (out.what == kind::fail) {
      report_refusal(*r, peer, request_error::bad_request, {{"name", "MIDDLEWARE_FAILURE"}});
      pending_request pending(std::move(*r), conn, std::move(headers));
      if (upgrade)
        return pending.respond(upgrade_refusal(default_message(request_error::bad_request)));
      return pending.respond_error(request_error::bad_request);
    }
    response res{static_cast<http::status>(out.status), r->version()};
    if (headers.find(http::field::content_type) == headers.end())
      res.set(http::field::content_type, "text/plain");
    if (upgrade) res.set(http::field::connection, "close");
    res.body() = std::move(out.body);
    pending_request(std::move(*r), conn, std::move(headers)).respond(std::move(res));
  };
  std::make_shared<middleware_run>(middlewares_, liveness_, conn->home().executor(),
                                   std::move(info), std::move(done))
      ->start();
}

void engine::report_refusal(const request& req, const peer_info& peer, request_error code,
                            string_pairs context) const {
  if (error_listeners_.empty()) return;
  connection_error error{make_request_info(req, parse_query(req.target()).params, peer), code,
                         std::move(context)};
  for (const auto& listener : error_listeners_) {
    guarded("connection_error listener", [&] { listener(error); });
  }
}

void engine::refuse(pending_request& pending, request_error code, string_pairs context,
                    std::string_view message) const {
  report_refusal(pending.req(), pending.connection().peer(), code, std::move(context));
  pending.respond_error(code, message);
}

void engine::route_polling(pending_request pending, std::string_view transport_name,
                           const std::string& sid, std::shared_ptr<request_locals> locals) {
  auto kind = parse_transport(transport_name);
  if (!kind || !enabled(*kind)) {
    return refuse(pending, request_error::unknown_transport, {{"transport", transport_name}});
  }
  if (invalid_origin(pending.req())) {
    return refuse(pending, request_error::bad_request,
                  {{"name", "INVALID_ORIGIN"}, {"origin", pending.req()[http::field::origin]}});
  }
  if (!sid.empty()) {
    auto owner = shard_of(sid);
    if (!owner) return refuse(pending, request_error::unknown_sid, {{"sid", sid}});
    auto& target = *shards_[*owner];
    if (target.running_here()) return on_session_request(target, std::move(pending), sid);
    auto task = [this, &target, sid, p = std::make_shared<pending_request>(std::move(pending))] {
      on_session_request(target, std::move(*p), sid);
    };
    return asio::post(target.context(), std::move(task));
  }
  if (pending.req().method() != http::verb::get) {
    return refuse(pending, request_error::bad_handshake_method,
                  {{"method", pending.req().method_string()}});
  }
  if (*kind == transport_kind::websocket) {
    return refuse(pending, request_error::bad_request, {{"name", "TRANSPORT_HANDSHAKE_ERROR"}});
  }
  handshake_polling(std::move(pending), std::move(locals));
}

std::optional<streamed_body> engine::announce_body(const request& header) {
  if (header.method() != http::verb::post) return std::nullopt;
  auto target = header.target();
  if (target.substr(0, opts_->path.size()) != opts_->path) return std::nullopt;
  auto query = parse_query(target);
  auto sid = query.get("sid");
  if (!sid || sid->empty()) return std::nullopt;
  streamed_body body{++posts_, std::string(*sid)};
  with_polling(body.sid, [id = body.id](polling_transport& t) { t.body_started(id); });
  return body;
}

void engine::end_body(const streamed_body& body, bool premature) {
  with_polling(body.sid,
               [id = body.id, premature](polling_transport& t) { t.body_ended(id, premature); });
}

// On the owner's own thread this runs at once. A post from there would wait in the thread's
// private queue until the current handler returns, behind posts other shards make meanwhile: a
// POST's end could then reach its session after the next POST's start, which reads as an overlap.
void engine::with_polling(const std::string& sid, std::function<void(polling_transport&)> f) {
  auto owner = shard_of(sid);
  if (!owner) return;
  auto& target = *shards_[*owner];
  auto apply = [&target, sid, f = std::move(f)] {
    auto it = target.sessions().find(sid);
    if (it == target.sessions().end()) return;
    if (auto* polling = it->second->transport_as<polling_transport>()) f(*polling);
  };
  if (target.running_here()) return apply();
  asio::post(target.context(), std::move(apply));
}

void engine::on_session_request(shard& owner, pending_request pending, const std::string& sid) {
  auto it = owner.sessions().find(sid);
  if (it == owner.sessions().end()) {
    return refuse(pending, request_error::unknown_sid, {{"sid", sid}});
  }
  auto& s = *it->second;
  auto query = parse_query(pending.req().target());
  auto* polling = s.transport_as<polling_transport>();
  if (!polling || query.get("transport") != "polling") {
    return refuse(pending, request_error::bad_request,
                  {{"name", "TRANSPORT_MISMATCH"},
                   {"transport", query.get("transport").value_or("")},
                   {"previousTransport", to_string(s.transport_name())}});
  }
  if (requested_protocol(query) != s.protocol()) {
    return refuse(pending, request_error::bad_request,
                  {{"name", "PROTOCOL_MISMATCH"},
                   {"protocol", node_protocol(query)},
                   {"previousProtocol", eio_of(s.protocol())}});
  }
  add_listener_headers(pending.req(), pending.connection().peer(), false, pending.headers());
  polling->on_request(std::move(pending));
}

void engine::check_allowed(const request_info& info, shard& home,
                           std::function<void(std::string message, bool success)> then) {
  if (!opts_->allow_request) return then({}, true);
  auto answered = std::make_shared<std::atomic<bool>>(false);
  auto answer = [answered, alive = liveness_, home = home.executor(), then = std::move(then)](
                    const std::string& message, bool success) {
    if (answered->exchange(true)) return;  // the hook answers once
    std::lock_guard lock(alive->mutex);
    if (alive->alive) asio::post(home, [then, message, success] { then(message, success); });
  };
  bool returned = false;
  guarded("allow_request hook", [&] {
    opts_->allow_request(info, answer);
    returned = true;
  });
  if (!returned) answer("", false);  // a hook that throws refuses, as an error would
}

void engine::add_listener_headers(const request& req, const peer_info& peer, bool handshake,
                                  http::fields& out) const {
  if (headers_listeners_.empty() && (!handshake || initial_headers_listeners_.empty())) return;
  auto info = make_request_info(req, parse_query(req.target()).params, peer);
  string_pairs added;
  auto notify = [&](const std::vector<headers_listener>& listeners, std::string_view what) {
    for (const auto& listener : listeners) guarded(what, [&] { listener(added, info); });
  };
  if (handshake) notify(initial_headers_listeners_, "initial_headers listener");
  notify(headers_listeners_, "headers listener");
  for (auto [name, value] : added) out.erase(name);
  for (auto [name, value] : added) {
    if (valid_header(name, value)) {
      out.insert(name, value);
    } else {
      log_warning("a headers listener set a header with an invalid name or value; dropped");
    }
  }
}

std::optional<protocol_version> engine::protocol_of(const request& req) const {
  auto protocol = requested_protocol(parse_query(req.target()));
  if (protocol == protocol_version::v3 && !opts_->allow_eio3) return std::nullopt;
  return protocol;
}

namespace {

// ASCII only, whatever the locale.
bool usable_custom_sid(std::string_view id) {
  constexpr std::string_view others = "_.~-";
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           others.find(c) != std::string_view::npos;
  });
}

}  // namespace

// With generate_id, every session's id is in the table, ours too (when the application's is
// unusable), so that no id can be given twice and the table alone routes.
std::string engine::new_sid(const shard& home, const request_info& info) {
  if (!opts_->generate_id) return generate_sid(home.index());
  std::string id;
  guarded("generate_id", [&] { id = opts_->generate_id(info); });
  std::lock_guard lock(custom_sids_mutex_);
  if (!usable_custom_sid(id)) {
    log_warning("generate_id gave an id that is empty, too long or not URL-safe; using our own");
  } else if (custom_sids_.emplace(id, home.index()).second) {
    return id;
  } else {
    log_warning("generate_id gave the id of an open session; using our own");
  }
  do {
    id = generate_sid(home.index());
  } while (!custom_sids_.emplace(id, home.index()).second);
  return id;
}

std::optional<unsigned> engine::shard_of(const std::string& sid) {
  if (!opts_->generate_id) return sid_shard(sid, static_cast<unsigned>(shards_.size()));
  std::lock_guard lock(custom_sids_mutex_);
  auto it = custom_sids_.find(sid);
  if (it == custom_sids_.end()) return std::nullopt;
  return it->second;
}

void engine::release_sid(const std::string& sid) {
  if (!opts_->generate_id) return;
  std::lock_guard lock(custom_sids_mutex_);
  custom_sids_.erase(sid);
}

std::shared_ptr<session> engine::create_session(shard& home, std::string sid,
                                                protocol_version protocol, request_info info) {
  session::config cfg;
  cfg.id = std::move(sid);
  cfg.shard = home.index();
  cfg.protocol = protocol;
  cfg.opts = opts_;
  cfg.events = &events_;
  cfg.timers = home.timers();
  cfg.request = std::move(info);
  cfg.on_closed = [this, &home](session& s) {
    auto it = home.sessions().find(s.id());
    if (it == home.sessions().end()) return;
    // Freed on the shard's next turn, not under whoever closed it: a broadcast writing to it, or
    // a listener of its own, is still up the stack.
    asio::post(home.context(), [last = std::move(it->second)] {});
    home.sessions().erase(it);
    release_sid(s.id());
    --clients_;
  };
  auto s = std::make_shared<session>(std::move(cfg));
  home.sessions().emplace(s->id(), s);
  ++clients_;
  return s;
}

void engine::open_session(std::shared_ptr<transport> t, request_info request,
                          protocol_version protocol, unsigned shard) {
  auto& home = *shards_.at(shard);
  post(shard, [this, &home, t = std::move(t), request = std::move(request), protocol]() mutable {
    auto sid = new_sid(home, request);
    create_session(home, std::move(sid), protocol, std::move(request))->start(t);
  });
}

void engine::handshake_polling(pending_request pending, std::shared_ptr<request_locals> locals) {
  auto& home = pending.connection().home();
  auto peer = pending.connection().peer();
  auto p = std::make_shared<pending_request>(std::move(pending));
  auto info = std::make_shared<request_info>(
      make_request_info(p->req(), parse_query(p->req().target()).params, peer));
  info->locals = std::move(locals);
  check_allowed(
      *info, home, [this, p, &home, peer, info](const std::string& message, bool success) {
        auto query = parse_query(p->req().target());
        if (!success) return refuse(*p, request_error::forbidden, {{"message", message}}, message);
        auto protocol = protocol_of(p->req());
        if (!protocol) {
          return refuse(*p, request_error::unsupported_protocol_version,
                        {{"protocol", node_protocol(query)}});
        }
        polling_transport::config tcfg;
        tcfg.protocol = *protocol;
        tcfg.supports_binary = query.get("b64").value_or("").empty();
        if (auto j = query.get("j")) tcfg.jsonp = jsonp_index(*j);
        tcfg.opts = opts_;
        tcfg.executor = home.executor();
        tcfg.timers = home.timers();
        auto sid = new_sid(home, *info);
        auto s = create_session(home, std::move(sid), *protocol, std::move(*info));
        if (opts_->cookie)
          p->headers().set(http::field::set_cookie, serialize_cookie(*opts_->cookie, s->id()));
        add_listener_headers(p->req(), peer, true, p->headers());
        auto transport = std::make_shared<polling_transport>(std::move(tcfg));
        transport->on_request(std::move(*p));  // parked first: the open packet answers it alone
        s->start(transport);
      });
}

void engine::route_upgrade(std::shared_ptr<http_connection> conn, request req,
                           std::string_view transport_name, const std::string& sid,
                           http::fields extra, std::shared_ptr<request_locals> locals) {
  auto refuse = [&](request_error e, string_pairs context) {
    report_refusal(req, conn->peer(), e, std::move(context));
    pending_request(std::move(req), conn, {}).respond(upgrade_refusal(default_message(e)));
  };
  auto kind = parse_transport(transport_name);
  if (!kind || !enabled(*kind)) {
    return refuse(request_error::unknown_transport, {{"transport", transport_name}});
  }
  if (invalid_origin(req)) {
    return refuse(request_error::bad_request,
                  {{"name", "INVALID_ORIGIN"}, {"origin", req[http::field::origin]}});
  }
  if (sid.empty()) {
    if (req.method() != http::verb::get) {
      return refuse(request_error::bad_handshake_method, {{"method", req.method_string()}});
    }
    return handshake_websocket(std::move(conn), std::move(req), std::move(extra),
                               std::move(locals));
  }

  auto owner = shard_of(sid);
  if (!owner) return refuse(request_error::unknown_sid, {{"sid", sid}});
  auto& target = *shards_[*owner];
  auto counted = conn->release_stream();
  if (target.running_here())
    return on_session_upgrade(target, std::move(counted), std::move(req), sid, extra);
  // Move the connection to the session's shard once; from then on it lives there.
  stream_in_transit moving(counted.stream);
  if (!moving.valid()) return;  // the client is already gone, or its TLS bytes cannot move
  asio::post(target.context(),
             [this, &target, moving = std::move(moving), sid, slot = std::move(counted.slot),
              r = std::make_shared<request>(std::move(req)), extra = std::move(extra)]() mutable {
               auto landed = moving.land(target.context().get_executor());
               if (!landed) return;
               on_session_upgrade(target, counted_stream{std::move(*landed), std::move(slot)},
                                  std::move(*r), sid, extra);
             });
}

void engine::on_session_upgrade(shard& owner, counted_stream counted, request req,
                                const std::string& sid, const http::fields& extra) {
  auto peer = peer_of(counted.stream);
  auto refuse = [&](request_error e, string_pairs context) {
    report_refusal(req, peer, e, std::move(context));
    write_and_close(std::move(counted), upgrade_refusal(default_message(e)));
  };
  auto it = owner.sessions().find(sid);
  if (it == owner.sessions().end()) return refuse(request_error::unknown_sid, {{"sid", sid}});
  std::weak_ptr<session> weak = it->second;
  auto& s = *it->second;
  auto query = parse_query(req.target());
  if (requested_protocol(query) != s.protocol()) {
    return refuse(request_error::bad_request, {{"name", "PROTOCOL_MISMATCH"},
                                               {"protocol", node_protocol(query)},
                                               {"previousProtocol", eio_of(s.protocol())}});
  }
  if (auto refusal = websocket_refusal(req, opts_->per_message_deflate)) {
    return write_and_close(std::move(counted), std::move(*refusal));
  }
  auto headers = engine_headers(req, *opts_, extra);
  add_listener_headers(req, peer, false, headers);
  bool wants_websocket = query.get("transport") == "websocket";
  // Like Node, allow_upgrades only empties the advertised list; an upgrade attempt still works.
  if (!wants_websocket || s.upgrading() || s.upgraded() ||
      s.transport_name() == transport_kind::websocket) {
    return accept_and_close(std::move(counted), std::move(req), *opts_, std::move(headers));
  }
  auto protocol = s.protocol();
  accept_websocket(std::move(counted), std::move(req), *opts_, std::move(headers),
                   [this, weak, protocol](websocket_stream ws, connection_slot slot) {
                     open_websocket_transport(
                         std::move(ws), std::move(slot), protocol, opts_, [&](auto transport) {
                           auto s = weak.lock();
                           if (!s || s->ready_state() != session::state::open || s->upgrading())
                             return false;
                           s->begin_upgrade(transport);
                           return true;
                         });
                   });
}

void engine::handshake_websocket(std::shared_ptr<http_connection> conn, request req,
                                 http::fields extra, std::shared_ptr<request_locals> locals) {
  auto& home = conn->home();
  auto peer = conn->peer();
  auto r = std::make_shared<request>(std::move(req));
  auto info =
      std::make_shared<request_info>(make_request_info(*r, parse_query(r->target()).params, peer));
  info->locals = std::move(locals);
  check_allowed(
      *info, home,
      [this, conn, r, &home, peer, info, extra = std::move(extra)](const std::string& message,
                                                                   bool success) {
        auto query = parse_query(r->target());
        auto refuse = [&](request_error e, string_pairs context, std::string_view text) {
          report_refusal(*r, peer, e, std::move(context));
          pending_request(std::move(*r), conn, {}).respond(upgrade_refusal(text));
        };
        if (!success) {
          return refuse(request_error::forbidden, {{"message", message}},
                        message.empty() ? default_message(request_error::forbidden) : message);
        }
        if (auto refusal = websocket_refusal(*r, opts_->per_message_deflate)) {
          return pending_request(std::move(*r), conn, {}).respond(std::move(*refusal));
        }
        auto headers = engine_headers(*r, *opts_, extra);
        add_listener_headers(*r, peer, true, headers);
        // As Node, a transport that does not take upgrades is closed before the protocol counts.
        if (query.get("transport") != "websocket") {
          return accept_and_close(conn->release_stream(), std::move(*r), *opts_,
                                  std::move(headers));
        }
        auto protocol = protocol_of(*r);
        if (!protocol) {
          auto e = request_error::unsupported_protocol_version;
          return refuse(e, {{"protocol", node_protocol(query)}}, default_message(e));
        }
        auto sid = new_sid(home, *info);
        // Node forgets the session cookie on a WebSocket handshake; we send it for sticky
        // sessions, beside any cookie of the middlewares and listeners.
        if (opts_->cookie)
          headers.insert(http::field::set_cookie, serialize_cookie(*opts_->cookie, sid));
        accept_websocket(
            conn->release_stream(), std::move(*r), *opts_, std::move(headers),
            [this, &home, protocol, sid, info](websocket_stream ws, connection_slot slot) {
              open_websocket_transport(
                  std::move(ws), std::move(slot), *protocol, opts_, [&](auto transport) {
                    create_session(home, sid, *protocol, std::move(*info))->start(transport);
                    return true;
                  });
            },
            [this, sid] { release_sid(sid); });
      });
}

void engine::accept_raw_websocket(const websocket_handler& endpoint,
                                  const std::shared_ptr<http_connection>& conn, request req) {
  auto& home = conn->home();
  auto info = make_request_info(req, parse_query(req.target()).params, conn->peer());
  auto [stream, slot] = conn->release_stream();
  websocket_stream ws(std::move(stream));
  ws.read_message_max(opts_->max_http_buffer_size);
  // The Engine.IO heartbeat is not there: let Beast ping an idle peer and drop a dead one.
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  auto peer = std::make_shared<websocket_peer_impl>(std::move(ws), std::move(slot), std::move(info),
                                                    endpoint, opts_->max_buffered_bytes);
  home.add_peer(peer);
  peer->start(std::move(req));
}

}  // namespace engineio::detail
