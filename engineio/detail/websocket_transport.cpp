#include "engineio/detail/websocket_transport.hpp"

#include <algorithm>
#include <array>

#include "engineio/detail/shard.hpp"
#include "engineio/packet.hpp"
#include "engineio/session.hpp"

namespace engineio::detail {

namespace websocket = beast::websocket;
using namespace std::chrono_literals;

void configure_websocket(websocket_stream& ws, const options& opts) {
  // The transport enforces maxHttpBufferSize itself (see on_read), so Beast gets no limit.
  ws.read_message_max(0);
  ws.auto_fragment(false);
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = 30s;
  timeouts.idle_timeout =
      websocket::stream_base::none();  // the Engine.IO heartbeat watches liveness
  timeouts.keep_alive_pings = false;
  ws.set_option(timeouts);
  if (opts.per_message_deflate) {
    websocket::permessage_deflate deflate;
    deflate.server_enable = true;
    deflate.msg_size_threshold = opts.per_message_deflate->threshold;
    deflate.compLevel = opts.per_message_deflate->level;
    deflate.server_no_context_takeover = opts.per_message_deflate->server_no_context_takeover;
    deflate.client_no_context_takeover = opts.per_message_deflate->client_no_context_takeover;
    // Beast refuses 8 (zlib treats it as 9 anyway).
    deflate.server_max_window_bits = std::max(opts.per_message_deflate->server_max_window_bits, 9);
    deflate.client_max_window_bits = std::max(opts.per_message_deflate->client_max_window_bits, 9);
    deflate.memLevel = opts.per_message_deflate->mem_level;
    ws.set_option(deflate);
  }
}

websocket_transport::websocket_transport(websocket_stream ws, connection_slot slot,
                                         protocol_version protocol,
                                         std::shared_ptr<const options> opts)
    : ws_(std::move(ws)), slot_(std::move(slot)), protocol_(protocol), opts_(std::move(opts)) {}

void websocket_transport::start() {
  do_read();
}

void websocket_transport::do_read() {
  constexpr std::size_t chunk = std::size_t{64} * 1024;
  ws_.async_read_some(
      read_buffer_, chunk,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void websocket_transport::on_read(beast::error_code ec) {
  if (ec) {
    bool orderly = ec == websocket::error::closed || ec == asio::error::eof;
    return report_closed(orderly ? close_reason::transport_close : close_reason::transport_error);
  }
  if (read_buffer_.size() > opts_->max_http_buffer_size) {
    // Like Node's ws: close with 1009, and let the close handshake drain what the client is
    // still sending, so it reads our close frame instead of a connection reset.
    report_closed(close_reason::transport_error);
    close_code_ = websocket::close_code::too_big;
    return request_close();
  }
  if (!ws_.is_message_done()) return do_read();
  auto data = read_buffer_.cdata();
  std::string_view frame(static_cast<const char*>(data.data()), data.size());
  auto p =
      ws_.got_text() ? decode_text_packet(frame, protocol_) : decode_binary_frame(frame, protocol_);
  if (auto s = session_.lock()) {
    if (p) {
      s->receive(*this, *p);
    } else {
      s->fail(close_reason::parse_error);
    }
  }
  read_buffer_.consume(read_buffer_.size());
  if (!closed_) do_read();
}

void websocket_transport::send(std::vector<outgoing> packets) {
  if (closed_ || close_requested_) return;
  for (auto& p : packets) batch_.push_back(std::move(p));
  if (!writing_) write_next();
}

void websocket_transport::write_next() {
  if (next_ == batch_.size()) {
    batch_.clear();
    next_ = 0;
    writing_ = false;
    if (close_requested_) return do_close();
    if (auto s = session_.lock()) s->transport_drained(*this);
    return;
  }
  writing_ = true;
  watch_write();
  const auto& p = batch_[next_++];
  ws_.text(!p.binary);
  ws_.compress(p.compress);
  auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->on_write(ec);
  };
  if (p.binary && protocol_ == protocol_version::v3) {
    static constexpr char message_type = 4;
    std::array<asio::const_buffer, 2> buffers{asio::buffer(&message_type, 1),
                                              asio::buffer(*p.bytes)};
    ws_.async_write(buffers, std::move(done));
  } else {
    ws_.async_write(asio::buffer(*p.bytes), std::move(done));
  }
}

void websocket_transport::on_write(beast::error_code ec) {
  if (ec) {
    writing_ = false;
    return report_closed(close_reason::transport_error);
  }
  write_next();
}

// As in plain_websocket_transport: one timer looks at the write in flight at most once per
// websocket_write_timeout, and closes the socket under a write older than that.
void websocket_transport::watch_write() {
  write_started_ = std::chrono::steady_clock::now();
  if (!write_timer_armed_) arm_write_timer(write_started_ + opts_->websocket_write_timeout);
}

void websocket_transport::arm_write_timer(std::chrono::steady_clock::time_point due) {
  if (!write_timer_) write_timer_ = std::make_unique<asio::steady_timer>(ws_.get_executor());
  write_timer_armed_ = true;
  write_timer_->expires_at(due);
  write_timer_->async_wait(
      [self = shared_from_this()](beast::error_code ec) { self->on_write_timer(ec); });
}

void websocket_transport::on_write_timer(beast::error_code ec) {
  write_timer_armed_ = false;
  if (ec || !writing_ || !beast::get_lowest_layer(ws_).socket().is_open()) return;
  auto due = write_started_ + opts_->websocket_write_timeout;
  if (std::chrono::steady_clock::now() < due) return arm_write_timer(due);
  report_closed(close_reason::transport_error);
  close_socket();
}

void websocket_transport::close() {
  if (closed_ || close_requested_) return;
  close_requested_ = true;
  // Like Node, the session learns at once that the transport is closed; the close frame goes
  // out after the frames already handed over.
  report_closed(close_reason::transport_close);
  request_close();
}

void websocket_transport::request_close() {
  close_requested_ = true;
  // Bounded from now, not from the end of the write in flight: a client that never reads keeps
  // that write, and would keep the socket, for good.
  close_deadline_ = std::make_unique<asio::steady_timer>(ws_.get_executor(), 5s);
  close_deadline_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->close_socket();
  });
  if (!writing_) do_close();
}

void websocket_transport::do_close() {
  ws_.async_close(close_code_,
                  [self = shared_from_this()](beast::error_code) { self->close_socket(); });
}

void websocket_transport::close_socket() {
  if (close_deadline_) close_deadline_->cancel();
  if (write_timer_) write_timer_->cancel();
  beast::get_lowest_layer(ws_).close();
}

void websocket_transport::report_closed(close_reason reason) {
  if (closed_) return;
  closed_ = true;
  if (auto s = session_.lock()) s->transport_closed(*this, reason);
}

}  // namespace engineio::detail
