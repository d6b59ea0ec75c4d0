#pragma once
// One accepted connection speaking HTTP/1.1, plain or over TLS (the Beast http_session shape):
// reads a request, hands it to the engine, writes the answer (which may come from another shard),
// repeats. While a request waits for its answer (a parked long-poll), it watches the socket so that
// a client that goes away is noticed, as Node notices a request's "close".

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "engineio/detail/connection_limit.hpp"
#include "engineio/detail/connection_stream.hpp"
#include "engineio/detail/http.hpp"
#include "engineio/embedding.hpp"

namespace engineio::detail {

class engine;
class shard;

/// An accepted connection with the slot that counts it against max_connections: they go together
/// from the HTTP connection to whatever takes the stream over (a WebSocket transport or raw
/// peer, or the refusal being written), so an upgrade in progress is counted too.
struct counted_stream {
  connection_stream stream;
  connection_slot slot;
};

/// Where an attached connection goes back (server::attach): the application's handler, run on
/// the executor the socket came from.
struct give_back_target {
  asio::any_io_executor executor;
  give_back_handler handler;
};

/// A POST for session `sid` announced from its header, its body still to come.
struct streamed_body {
  std::uint64_t id;
  std::string sid;
};

class http_connection : public std::enable_shared_from_this<http_connection> {
 public:
  http_connection(connection_stream stream, engine& owner, shard& home, connection_slot slot);

  /// Reads requests, after the TLS handshake on a TLS stream.
  void start();
  /// Starts an attached connection (server::attach): with the request the application already
  /// read, if any, and the bytes it read past it.
  void start_with(std::optional<request> first, std::string already_read);
  /// An attached connection: requests that are not the engine's go back to the application.
  void give_back_to(give_back_target target) { give_back_ = std::move(target); }

  /// Writes the answer to the current request; callable from any thread.
  void send_response(response res);

  /// Runs `f` on `executor` if the peer closes the connection before the answer is written.
  /// Callable from any thread.
  void on_abandon(asio::any_io_executor executor, std::function<void()> f);

  /// Gives the stream away (WebSocket upgrade) with its connection slot; the connection stops
  /// reading.
  counted_stream release_stream();

  shard& home() noexcept { return home_; }
  /// The number under which the current request's body was announced while it arrived; 0 when
  /// it came with its header.
  std::uint64_t streamed_post() const noexcept { return streamed_ ? streamed_->id : 0; }
  const peer_info& peer() const noexcept { return peer_; }

 private:
  void handshake();
  void do_read();
  bool can_give_back() const noexcept { return static_cast<bool>(give_back_.handler); }
  void read_request_line();
  void give_back();
  void read_header();
  void on_header(beast::error_code ec);
  void on_read(beast::error_code ec);
  void handle(request req);
  void reply_and_close(http::status status);
  void watch_peer();
  void on_watch(beast::error_code ec, std::size_t bytes);
  void write_response(const std::shared_ptr<response>& res);
  void on_write(bool keep_alive, beast::error_code ec);
  void linger();

  connection_stream stream_;
  asio::any_io_executor executor_;  // stream_'s, kept: the stream may be given away
  connection_slot slot_;
  asio::steady_timer request_timer_;
  bool timed_out_ = false;
  engine& engine_;
  shard& home_;
  peer_info peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<streamed_body> streamed_;
  bool awaiting_answer_ = false;
  bool watching_ = false;
  bool resume_after_watch_ = false;
  bool peer_gone_ = false;
  bool released_ = false;
  bool lingering_ = false;
  give_back_target give_back_;
  asio::any_io_executor abandon_executor_;
  std::function<void()> abandon_;
};

}  // namespace engineio::detail
