#include "engineio/detail/websocket_peer.hpp"

#include <boost/asio/dispatch.hpp>

#include "engineio/detail/shard.hpp"
#include "engineio/log.hpp"

namespace engineio::detail {

namespace websocket = beast::websocket;

websocket_peer_impl::websocket_peer_impl(stream ws, connection_slot slot, request_info info,
                                         const websocket_handler& handler,
                                         std::size_t max_buffered_bytes)
    : ws_(std::move(ws)),
      slot_(std::move(slot)),
      info_(std::move(info)),
      handler_(handler),
      max_buffered_bytes_(max_buffered_bytes) {}

void websocket_peer_impl::start(detail::request upgrade) {
  // Beast decorates its answer right before writing it. A 101 there means the upgrade is good:
  // opening the peer at that moment lets the client see its socket open only once on_open is
  // done, as with `ws`, and a refused upgrade never reaches the handler.
  ws_.set_option(websocket::stream_base::decorator([this](websocket::response_type& res) {
    if (res.result() != http::status::switching_protocols) return;
    opened_ = true;
    if (handler_.on_open) guarded("WebSocket on_open", [&] { handler_.on_open(*this); });
  }));
  auto req = std::make_shared<detail::request>(std::move(upgrade));
  ws_.async_accept(*req, [self = std::static_pointer_cast<websocket_peer_impl>(shared_from_this()),
                          req](beast::error_code ec) {
    if (ec) return self->finish(1006);
    self->write_next();  // what on_open or other threads queued meanwhile
    self->do_read();
  });
}

void websocket_peer_impl::do_read() {
  ws_.async_read(read_buffer_, [self = std::static_pointer_cast<websocket_peer_impl>(
                                    shared_from_this())](beast::error_code ec, std::size_t) {
    if (ec) {
      // Beast answered a close frame (or the socket died): report the peer's code.
      auto reason = self->ws_.reason();
      return self->finish(ec == websocket::error::closed ? static_cast<std::uint16_t>(reason.code)
                                                         : 1006);
    }
    auto data = self->read_buffer_.cdata();
    if (self->handler_.on_message) {
      guarded("WebSocket on_message", [&] {
        self->handler_.on_message(
            *self, std::string_view(static_cast<const char*>(data.data()), data.size()),
            self->ws_.got_binary());
      });
    }
    self->read_buffer_.consume(self->read_buffer_.size());
    self->do_read();
  });
}

void websocket_peer_impl::enqueue(std::string bytes, bool binary) {
  auto self = std::static_pointer_cast<websocket_peer_impl>(shared_from_this());
  asio::dispatch(ws_.get_executor(), [self, f = frame{std::move(bytes), binary}]() mutable {
    self->push(std::move(f));
  });
}

void websocket_peer_impl::push(frame f) {
  if (closing_ || finished_) return;
  queued_bytes_ += f.bytes.size();
  if (queued_bytes_ > max_buffered_bytes_) {
    // A peer this far behind is not reading: no closing handshake could get through, so drop
    // the connection; the pending read ends and reports 1006.
    closing_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    return;
  }
  queue_.push_back(std::move(f));
  if (!writing_) write_next();
}

void websocket_peer_impl::write_next() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_) start_close(close_code_);
    return;
  }
  writing_ = true;
  ws_.binary(queue_.front().binary);
  ws_.async_write(asio::buffer(queue_.front().bytes),
                  [self = std::static_pointer_cast<websocket_peer_impl>(shared_from_this())](
                      beast::error_code ec, std::size_t) {
                    self->queued_bytes_ -= self->queue_.front().bytes.size();
                    self->queue_.pop_front();
                    if (ec) {
                      self->writing_ = false;
                      return;  // the read loop sees the broken socket and finishes
                    }
                    self->write_next();
                  });
}

void websocket_peer_impl::close(std::uint16_t code) {
  auto self = std::static_pointer_cast<websocket_peer_impl>(shared_from_this());
  asio::dispatch(ws_.get_executor(), [self, code] {
    if (self->closing_ || self->finished_) return;
    self->closing_ = true;
    self->close_code_ = static_cast<websocket::close_code>(code);
    if (!self->writing_) self->start_close(self->close_code_);
  });
}

void websocket_peer_impl::start_close(websocket::close_code code) {
  closing_ = true;
  close_code_ = code;
  // Bounded: a client that neither takes the frame in flight nor answers the close frame does
  // not hold the socket.
  ws_.next_layer().expires_after(std::chrono::seconds(5));
  if (writing_) return;  // write_next closes once the frame in flight is out
  ws_.async_close(code, [self = std::static_pointer_cast<websocket_peer_impl>(shared_from_this())](
                            beast::error_code) {});
}

void websocket_peer_impl::finish(std::uint16_t code) {
  if (finished_) return;
  finished_ = true;
  if (opened_ && handler_.on_close) {
    guarded("WebSocket on_close", [&] { handler_.on_close(*this, code); });
  }
  if (on_finished_) on_finished_(*this);
}

}  // namespace engineio::detail
