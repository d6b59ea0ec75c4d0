#include "engineio/detail/http_connection.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

#include "engineio/detail/engine.hpp"
#include "engineio/detail/shard.hpp"
#include "engineio/detail/socket_in_transit.hpp"
#include "engineio/log.hpp"

namespace engineio::detail {
namespace {

// Pipelined bytes kept while a request waits; past this the watch stops reading.
constexpr std::size_t max_buffered_while_waiting = std::size_t{64} * 1024;

}  // namespace

http_connection::http_connection(connection_stream stream, engine& owner, shard& home,
                                 connection_slot slot)
    : stream_(std::move(stream)),
      executor_(stream_.get_executor()),
      slot_(std::move(slot)),
      request_timer_(executor_),
      engine_(owner),
      home_(home),
      peer_(peer_of(stream_)) {}

void http_connection::start() {
  asio::dispatch(executor_, [self = shared_from_this()] {
    if (self->stream_.tls()) return self->handshake();
    self->do_read();
  });
}

// Bounded as a request is: a client that stalls in the handshake, or never starts it, holds its
// connection slot for request_timeout at most. A failed handshake just closes.
void http_connection::handshake() {
  stream_.expires_after(engine_.opts().request_timeout);
  stream_.async_handshake([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->do_read();
  });
}

void http_connection::start_with(std::optional<request> first, std::string already_read) {
  asio::dispatch(executor_, [self = shared_from_this(), first = std::move(first),
                             rest = std::move(already_read)]() mutable {
    self->buffer_.commit(asio::buffer_copy(self->buffer_.prepare(rest.size()), asio::buffer(rest)));
    if (!first) return self->do_read();
    // The application's parser had its own limit; ours answers as Node would.
    if (first->body().size() > self->engine_.opts().max_http_buffer_size)
      return self->reply_and_close(http::status::payload_too_large);
    self->handle(std::move(*first));
  });
}

void http_connection::do_read() {
  // Not the stream's own timeout: that one closes the socket, and a slow request gets a 408.
  stream_.expires_never();
  timed_out_ = false;
  request_timer_.expires_after(engine_.opts().request_timeout);
  request_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    self->timed_out_ = true;
    self->stream_.next_layer().socket().cancel(ec);
  });
  if (can_give_back()) return read_request_line();
  read_header();
}

// An attached connection: the request line says whose the next request is, and the
// application's own requests are never parsed here (its limits apply to them, not ours).
void http_connection::read_request_line() {
  std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  auto end = data.find("\r\n");
  if (end == std::string_view::npos && data.size() < engine_.opts().max_header_bytes) {
    return stream_.async_read_some(
        buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          // Gone, or silent until request_timeout: the connection closes now, not at the timer.
          if (ec || self->timed_out_) {
            self->request_timer_.cancel();
            return;
          }
          self->buffer_.commit(n);
          self->read_request_line();
        });
  }
  if (end != std::string_view::npos && engine_.owns(data.substr(0, end))) return read_header();
  give_back();
}

void http_connection::give_back() {
  released_ = true;
  request_timer_.cancel();
  std::string rest = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  socket_in_transit socket(stream_.next_layer().socket());
  if (!socket.valid()) return;
  auto target = std::move(give_back_);
  auto executor = target.executor;
  asio::post(executor, [socket = std::move(socket), target = std::move(target),
                        rest = std::move(rest)]() mutable {
    auto landed = socket.land_tcp(target.executor);
    if (!landed) return;
    guarded("give-back handler", [&] { target.handler(std::move(*landed), std::move(rest)); });
  });
}

void http_connection::read_header() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(engine_.opts().max_header_bytes));
  parser_->body_limit(engine_.opts().max_http_buffer_size);
  streamed_.reset();
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

// A POST whose body is still on its way is announced to its session first, as Node's polling
// transport knows a data request from its start: another POST meanwhile is an overlap.
void http_connection::on_header(beast::error_code ec) {
  if (ec || parser_->is_done()) return on_read(ec);
  streamed_ = engine_.announce_body(parser_->get());
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void http_connection::on_read(beast::error_code ec) {
  request_timer_.cancel();
  // Cut off before its end (not merely too large, which Node answers and forgets): the session
  // ends. Otherwise the body is in, and whatever answers the request, it no longer streams.
  if (streamed_) engine_.end_body(*streamed_, ec && ec != http::error::body_limit);
  if (timed_out_) {
    // Node answers a request that did not arrive in time with 408; an idle keep-alive
    // connection is just closed.
    if (parser_->got_some()) return reply_and_close(http::status::request_timeout);
    return;
  }
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted) return;
  // Node's http server answers these with a status and "Connection: close".
  if (ec == http::error::header_limit)
    return reply_and_close(http::status::request_header_fields_too_large);
  if (ec == http::error::body_limit) return reply_and_close(http::status::payload_too_large);
  if (ec) {
    if (parser_->got_some() && ec != asio::error::connection_reset && ec != asio::error::eof &&
        ec != http::error::partial_message) {
      return reply_and_close(http::status::bad_request);
    }
    return;
  }
  stream_.expires_never();
  handle(parser_->release());
}

void http_connection::handle(request req) {
  awaiting_answer_ = true;
  peer_gone_ = false;
  engine_.route(shared_from_this(), std::move(req));
  if (awaiting_answer_ && !released_) watch_peer();
}

void http_connection::reply_and_close(http::status status) {
  auto res = std::make_shared<response>(status, 11);
  res->set(http::field::connection, "close");
  res->prepare_payload();
  res->keep_alive(false);
  write_response(res);
}

void http_connection::watch_peer() {
  if (watching_ || buffer_.size() >= max_buffered_while_waiting) return;
  watching_ = true;
  stream_.async_read_some(
      buffer_.prepare(4096),
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_watch(ec, n); });
}

void http_connection::on_watch(beast::error_code ec, std::size_t bytes) {
  watching_ = false;
  if (!ec) {
    buffer_.commit(bytes);
    if (awaiting_answer_) return watch_peer();
  } else if (ec != asio::error::operation_aborted) {
    peer_gone_ = true;
    if (awaiting_answer_ && abandon_) {
      asio::post(abandon_executor_, std::move(abandon_));
      abandon_ = nullptr;
    }
    return;
  }
  if (resume_after_watch_) {
    resume_after_watch_ = false;
    do_read();
  }
}

void http_connection::on_abandon(asio::any_io_executor executor, std::function<void()> f) {
  asio::dispatch(executor_, [self = shared_from_this(), executor = std::move(executor),
                             f = std::move(f)]() mutable {
    if (!self->awaiting_answer_) return;
    if (self->peer_gone_) return asio::post(executor, std::move(f));
    self->abandon_executor_ = executor;
    self->abandon_ = std::move(f);
  });
}

void http_connection::send_response(response res) {
  auto shared = std::make_shared<response>(std::move(res));
  asio::dispatch(executor_, [self = shared_from_this(), shared] {
    if (!self->awaiting_answer_) return;
    self->awaiting_answer_ = false;
    self->abandon_ = nullptr;
    if (self->peer_gone_) return;
    self->write_response(shared);
  });
}

void http_connection::write_response(const std::shared_ptr<response>& res) {
  bool keep_alive = res->keep_alive();
  stream_.expires_after(engine_.opts().request_timeout);
  http::async_write(stream_, *res,
                    [self = shared_from_this(), res, keep_alive](
                        beast::error_code ec, std::size_t) { self->on_write(keep_alive, ec); });
}

void http_connection::on_write(bool keep_alive, beast::error_code ec) {
  if (ec) return;
  if (!keep_alive) {
    stream_.next_layer().socket().shutdown(stream_socket::shutdown_send, ec);
    return linger();
  }
  // A watch read may still be pending: stop it, and read the next request when it returns.
  if (watching_) {
    resume_after_watch_ = true;
    stream_.next_layer().socket().cancel(ec);
    return;
  }
  do_read();
}

// After a final answer, read and drop what the client is still sending (the rest of an oversized
// body) for a while: closing with unread data would make the kernel reset the connection, and
// the client could lose the answer before reading it.
void http_connection::linger() {
  if (released_) return;
  if (!lingering_) {
    lingering_ = true;
    stream_.expires_after(std::chrono::seconds(5));
  }
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(std::size_t{16} * 1024),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec) self->linger();
                          });
}

counted_stream http_connection::release_stream() {
  released_ = true;
  awaiting_answer_ = false;
  // The peer watch may be reading (the answer came through a hook or a middleware): it must
  // not take the new owner's bytes. basic_stream::release_socket cancels it for a plain stream.
  if (!stream_.tls()) return {connection_stream(stream_.release_socket()), std::move(slot_)};
  stream_.cancel();
  return {std::move(stream_), std::move(slot_)};
}

}  // namespace engineio::detail
