#include "engineio/detail/polling_transport.hpp"

#include <algorithm>

#include "engineio/detail/compression.hpp"
#include "engineio/detail/jsonp.hpp"
#include "engineio/detail/utf8.hpp"
#include "engineio/packet.hpp"
#include "engineio/payload.hpp"
#include "engineio/session.hpp"

namespace engineio::detail {

using namespace std::chrono_literals;

polling_transport::polling_transport(config cfg)
    : cfg_(std::move(cfg)), close_timeout_(cfg_.timers()) {}

void polling_transport::on_request(pending_request req) {
  if (req.req().method() == http::verb::get) return on_poll(std::move(req));
  if (req.req().method() == http::verb::post) return on_data(std::move(req));
  req.respond(http::status::internal_server_error);  // as Node's Polling#onRequest
}

void polling_transport::on_poll(pending_request req) {
  if (poll_) {
    // Node: a second GET while one is parked is an "overlap from client": 400 and the session ends
    // (the parked GET is answered with a close packet on the way).
    req.respond(http::status::bad_request);
    if (auto s = session_.lock()) s->fail(close_reason::transport_error);
    return;
  }
  auto id = ++poll_id_;
  req.on_abandon(cfg_.executor, [self = weak_from_this(), id] {
    if (auto t = self.lock()) t->on_poll_abandoned(id);
  });
  poll_.emplace(std::move(req));
  if (should_close_) {
    std::vector<outgoing> noop;
    noop.push_back(make_text_packet(packet_type::noop));
    return send(std::move(noop));
  }
  if (auto s = session_.lock()) s->transport_drained(*this);
}

void polling_transport::on_poll_abandoned(unsigned long poll_id) {
  if (!poll_ || poll_id != poll_id_) return;
  poll_.reset();
  // Node: "poll connection closed prematurely".
  if (auto s = session_.lock()) s->fail(close_reason::transport_error);
}

// An overlap ("data request overlap from client" in Node) ends the session when the overlapping
// POST is in, so that it gets Node's plain 400 rather than an unknown sid.
void polling_transport::body_started(std::uint64_t post) {
  (streaming_post_ == 0 ? streaming_post_ : overlapping_post_) = post;
}

void polling_transport::body_ended(std::uint64_t post, bool premature) {
  bool tracked = post == streaming_post_ || post == overlapping_post_;
  if (post == streaming_post_) streaming_post_ = 0;
  // Node: "data request connection closed prematurely"; or the overlap, which Node would have
  // ended the session for already.
  if (tracked && premature) {
    if (auto s = session_.lock()) s->fail(close_reason::transport_error);
  }
}

void polling_transport::on_data(pending_request req) {
  auto post = req.connection().streamed_post();
  bool overlap = (streaming_post_ != 0 && streaming_post_ != post) ||
                 (overlapping_post_ != 0 && overlapping_post_ == post);
  if (overlap) {
    req.respond(http::status::bad_request);
    if (auto s = session_.lock()) s->fail(close_reason::transport_error);
    return;
  }
  auto content_type = req.req()[http::field::content_type];
  bool binary_body = content_type == "application/octet-stream";
  if (binary_body && cfg_.protocol == protocol_version::v4) {
    // Node ends the session ("invalid content") and leaves the request hanging; answer it.
    req.respond(http::status::bad_request);
    if (auto s = session_.lock()) s->fail(close_reason::transport_error);
    return;
  }
  // Node reads a text body as a JS string: invalid UTF-8 becomes U+FFFD before the records are
  // split (their lengths count UTF-16 units). Raw, bad bytes would later go to WebSocket peers in
  // text frames, which those peers must fail (1007). JSONP and v3 binary bodies are checked
  // record by record in deliver().
  if (cfg_.jsonp) {
    auto body = decode_jsonp_body(req.req().body());
    if (body) deliver(*body, false);
  } else if (binary_body || detail::valid_utf8(req.req().body())) {
    deliver(req.req().body(), binary_body);
  } else {
    deliver(detail::replace_invalid_utf8(req.req().body()), false);
  }
  // text/html rather than text/plain keeps old user agents from offering a download (Node GH-43).
  req.respond(http::status::ok, "ok", "text/html");
}

void polling_transport::deliver(std::string_view body, bool binary_body) {
  auto payload = decode_payload(body, cfg_.protocol, binary_body);
  bool check_text = binary_body || cfg_.jsonp.has_value();
  for (auto p : payload.packets) {
    auto s = session_.lock();
    if (!s || s->ready_state() == session::state::closed) return;
    if (p.type == packet_type::close) return on_client_close();
    std::string replaced;
    if (check_text && !p.binary && !detail::valid_utf8(p.data)) {
      replaced = detail::replace_invalid_utf8(p.data);
      p.data = replaced;
    }
    s->receive(*this, p);
  }
  if (payload.error) {
    if (auto s = session_.lock()) s->fail(close_reason::parse_error);
  }
}

void polling_transport::send(std::vector<outgoing> packets) {
  if (!poll_) return;
  if (should_close_) packets.push_back(make_text_packet(packet_type::close));
  bool binary_ok = cfg_.supports_binary && !cfg_.jsonp;
  // As Node: compressed when any packet of the answer asks for it.
  bool compress = std::any_of(packets.begin(), packets.end(), [](auto& p) { return p.compress; });
  auto payload = encode_payload(packets, cfg_.protocol, binary_ok);
  auto req = std::move(*poll_);
  poll_.reset();
  if (cfg_.jsonp) payload.body = wrap_jsonp(*cfg_.jsonp, payload.body);
  auto res = make_poll_response(req.req(), std::move(payload.body), payload.binary);
  if (cfg_.opts->http_compression && compress) {
    compress_response(res, req.req(), *cfg_.opts->http_compression);
  }
  req.respond(std::move(res));
  if (should_close_) return report_closed();
  if (auto s = session_.lock()) s->transport_drained(*this);
}

response polling_transport::make_poll_response(const request& req, std::string body, bool binary) {
  response res{http::status::ok, req.version()};
  res.set(http::field::content_type,
          binary ? "application/octet-stream" : "text/plain; charset=UTF-8");
  // Node turns off old Internet Explorer's XSS filter, which mangled some payloads.
  auto ua = req[http::field::user_agent];
  if (ua.find(";MSIE") != std::string_view::npos || ua.find("Trident/") != std::string_view::npos) {
    res.set("X-XSS-Protection", "0");
  }
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

// The client sent a close packet: the transport is done at once. A parked GET is answered with a
// noop, as Node's polling transport does: the client that closed waits for nothing more.
void polling_transport::on_client_close() {
  if (closed_) return;
  if (poll_) send({make_text_packet(packet_type::noop)});
  report_closed();
}

void polling_transport::close() {
  if (closed_) return;
  if (poll_) {
    should_close_ = true;
    return send({});
  }
  if (discarded_) return report_closed();
  if (should_close_) return;
  // Wait for the client's next GET to hand it the close packet, but not forever (Node: 30 s).
  should_close_ = true;
  close_timeout_->start(30s, [self = weak_from_this()] {
    if (auto t = self.lock()) t->report_closed();
  });
}

void polling_transport::report_closed() {
  if (closed_) return;
  closed_ = true;
  close_timeout_->cancel();
  if (auto s = session_.lock()) s->transport_closed(*this, close_reason::transport_close);
}

}  // namespace engineio::detail
