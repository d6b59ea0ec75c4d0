#include "engineio/detail/plain_websocket_transport.hpp"

#include <boost/asio/write.hpp>

#include "engineio/detail/exact_allocator.hpp"
#include "engineio/detail/shard.hpp"
#include "engineio/packet.hpp"
#include "engineio/session.hpp"

namespace engineio::detail {

using namespace std::chrono_literals;

namespace {
constexpr char v3_binary_type = 4;
}

plain_websocket_transport::plain_websocket_transport(stream_socket socket, connection_slot slot,
                                                     protocol_version protocol,
                                                     std::shared_ptr<const options> opts)
    : socket_(std::move(socket)),
      slot_(std::move(slot)),
      protocol_(protocol),
      opts_(std::move(opts)),
      // The payload limit is checked per packet below, as Node checks maxHttpBufferSize; the
      // reader stops a message that announces more than that before buffering it.
      reader_(opts_->max_http_buffer_size + 1) {
  beast::error_code ignored;
  socket_.non_blocking(true, ignored);
}

void plain_websocket_transport::start() {
  do_read();
}

// Waits for readability rather than reading into a buffer of its own: the bytes land in one
// buffer per thread, so an idle connection holds no read buffer at all (uWebSockets' way).
void plain_websocket_transport::do_read() {
  socket_.async_wait(
      stream_socket::wait_read,
      exactly_sized([self = shared_from_this()](beast::error_code ec) { self->on_readable(ec); }));
}

void plain_websocket_transport::on_readable(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  thread_local std::string scratch(std::size_t{64} * 1024, '\0');
  auto n = socket_.read_some(asio::buffer(scratch), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return do_read();
  if (ec) return on_read_error(ec);
  if (!draining_) {
    std::string_view fresh(scratch.data(), n);
    if (partial_.empty()) {
      auto used = handle_frames(fresh);
      partial_.assign(fresh.substr(used));
    } else {
      partial_.append(fresh);
      partial_.erase(0, handle_frames(partial_));
    }
    // A buffer grown by one large frame is given back once it is done.
    if (partial_.empty() && partial_.capacity() > 4096) partial_.shrink_to_fit();
  }
  if (draining_ || !closed_) do_read();
}

void plain_websocket_transport::on_read_error(beast::error_code ec) {
  if (!draining_) {
    bool orderly = ec == asio::error::eof;
    report_closed(orderly ? close_reason::transport_close : close_reason::transport_error);
  }
  finish_socket();
}

std::size_t plain_websocket_transport::handle_frames(std::string_view data) {
  std::size_t total = 0;
  while (!closed_ && !draining_) {
    std::size_t used = 0;
    auto e = reader_.next(data.substr(total), used);
    total += used;
    switch (e.kind) {
      case ws::frame_reader::event::need_more:
        if (used == 0) return total;
        break;  // a fragment went into the reader
      case ws::frame_reader::event::message: {
        if (e.payload.size() > opts_->max_http_buffer_size) {
          close_with(1009, close_reason::transport_error);
          return data.size();
        }
        auto p = e.binary ? decode_binary_frame(e.payload, protocol_)
                          : decode_text_packet(e.payload, protocol_);
        if (auto s = session_.lock()) {
          if (p) {
            s->receive(*this, *p);
          } else {
            s->fail(close_reason::parse_error);
          }
        }
        break;
      }
      case ws::frame_reader::event::ping:
        // A client that pings without reading the pongs would grow the queue without end.
        if (pending_bytes_ + e.payload.size() > opts_->max_buffered_bytes) {
          close_with(1008, close_reason::transport_error);
          return data.size();
        }
        queue({ws::opcode::pong, make_shared_bytes(std::string(e.payload))});
        break;
      case ws::frame_reader::event::pong:
        break;
      case ws::frame_reader::event::close:
        // Echo the peer's code (none for none), then end: the session hears a transport close.
        report_closed(close_reason::transport_close);
        send_close_frame(e.code == 1005 ? std::string() : ws::close_payload(e.code));
        return data.size();
      case ws::frame_reader::event::error:
        close_with(e.code, close_reason::transport_error);
        return data.size();
    }
  }
  return data.size();
}

void plain_websocket_transport::send(std::vector<outgoing> packets) {
  if (closed_ || close_sent_) return;
  for (auto& p : packets) {
    bool v3_binary = p.binary && protocol_ == protocol_version::v3;
    pending_bytes_ += p.bytes->size();
    pending_.push_back(
        {p.binary ? ws::opcode::binary : ws::opcode::text, std::move(p.bytes), v3_binary});
  }
  if (!writing_) write_pending();
}

void plain_websocket_transport::queue(frame f) {
  pending_bytes_ += f.payload->size();
  pending_.push_back(std::move(f));
  if (!writing_) write_pending();
}

void plain_websocket_transport::write_pending() {
  if (pending_.empty()) return;
  writing_ = true;
  watch_write();
  in_flight_.swap(pending_);
  pending_bytes_ = 0;
  headers_.clear();
  headers_.reserve(in_flight_.size());
  buffers_.clear();
  for (const auto& f : in_flight_) {
    auto length = f.payload->size() + (f.type_prefix ? 1 : 0);
    const auto& h = headers_.emplace_back(ws::make_header(f.op, length));
    buffers_.emplace_back(h.bytes.data(), h.size);
    if (f.type_prefix) buffers_.emplace_back(&v3_binary_type, 1);
    buffers_.emplace_back(asio::buffer(*f.payload));
  }
  asio::async_write(
      socket_, buffers_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void plain_websocket_transport::on_write(beast::error_code ec) {
  in_flight_.clear();
  writing_ = false;
  if (ec) {
    report_closed(close_reason::transport_error);
    return finish_socket();
  }
  if (!pending_.empty()) return write_pending();
  if (close_sent_) {
    // Our close frame is out: stop sending, and read until the peer closes too.
    beast::error_code ignored;
    socket_.shutdown(stream_socket::shutdown_send, ignored);
    return;
  }
  if (auto s = session_.lock()) s->transport_drained(*this);
}

// One timer per connection, not one per write: it looks at the write in flight at most once per
// websocket_write_timeout and closes the socket when that write is older than the timeout.
void plain_websocket_transport::watch_write() {
  write_started_ = std::chrono::steady_clock::now();
  if (!write_timer_armed_) arm_write_timer(write_started_ + opts_->websocket_write_timeout);
}

void plain_websocket_transport::arm_write_timer(std::chrono::steady_clock::time_point due) {
  if (!write_timer_) write_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor());
  write_timer_armed_ = true;
  write_timer_->expires_at(due);
  write_timer_->async_wait(
      [self = shared_from_this()](beast::error_code ec) { self->on_write_timer(ec); });
}

void plain_websocket_transport::on_write_timer(beast::error_code ec) {
  write_timer_armed_ = false;
  if (ec || !writing_ || !socket_.is_open()) return;  // the next write arms it again
  auto due = write_started_ + opts_->websocket_write_timeout;
  if (std::chrono::steady_clock::now() < due) return arm_write_timer(due);
  report_closed(close_reason::transport_error);
  finish_socket();
}

void plain_websocket_transport::close() {
  if (closed_ || close_sent_) return;
  // Like Node, the session learns at once that the transport is closed; the close frame (no
  // status code, as engine.io sends it) goes out after the frames already handed over.
  report_closed(close_reason::transport_close);
  send_close_frame({});
}

// Like Node's ws on a protocol error or an oversized message: a close frame with the code,
// then the peer's remaining bytes are drained so it reads that frame rather than a reset.
void plain_websocket_transport::close_with(std::uint16_t code, close_reason reason) {
  report_closed(reason);
  if (close_sent_) return;
  send_close_frame(ws::close_payload(code));
}

void plain_websocket_transport::send_close_frame(std::string payload) {
  queue({ws::opcode::close, make_shared_bytes(std::move(payload))});
  close_sent_ = true;
  draining_ = true;
  // Bounded: a peer that neither reads what is queued nor closes its side loses the socket.
  deadline_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), 5s);
  deadline_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->finish_socket();
  });
}

void plain_websocket_transport::finish_socket() {
  if (deadline_) deadline_->cancel();
  if (write_timer_) write_timer_->cancel();
  beast::error_code ignored;
  socket_.shutdown(stream_socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void plain_websocket_transport::report_closed(close_reason reason) {
  if (closed_) return;
  closed_ = true;
  if (auto s = session_.lock()) s->transport_closed(*this, reason);
}

}  // namespace engineio::detail
