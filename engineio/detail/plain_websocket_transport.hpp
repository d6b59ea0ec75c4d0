#pragma once
// The WebSocket transport for connections without extensions (no permessage-deflate): our own
// framing over the TCP stream once Beast has done the handshake, so that everything the session
// hands over while a write is in flight leaves as one gather write, one send() for many
// frames (uWebSockets' corking). Pings are answered, a close is echoed, and protocol errors
// close with the codes of Node's `ws`.

#include <memory>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <string>

#include "engineio/detail/connection_limit.hpp"
#include "engineio/detail/http.hpp"
#include "engineio/detail/ws_frames.hpp"
#include "engineio/error.hpp"
#include "engineio/options.hpp"
#include "engineio/transport.hpp"

namespace engineio::detail {

class plain_websocket_transport final
    : public transport,
      public std::enable_shared_from_this<plain_websocket_transport> {
 public:
  plain_websocket_transport(stream_socket socket, connection_slot slot, protocol_version protocol,
                            std::shared_ptr<const options> opts);

  /// Starts reading; call once the session is attached.
  void start();

  transport_kind kind() const noexcept override { return transport_kind::websocket; }
  bool writable() const noexcept override { return !writing_ && !closed_; }
  void send(std::vector<outgoing> packets) override;
  void close() override;

 private:
  struct frame {
    ws::opcode op;
    shared_bytes payload;
    bool type_prefix = false;  // v3 binary: the byte 4 before the payload
  };
  void do_read();
  void on_readable(beast::error_code ec);
  void on_read_error(beast::error_code ec);
  /// Handles the complete frames at the start of `data`; returns the bytes they took.
  std::size_t handle_frames(std::string_view data);
  void queue(frame f);
  void write_pending();
  void on_write(beast::error_code ec);
  void watch_write();
  void arm_write_timer(std::chrono::steady_clock::time_point due);
  void on_write_timer(beast::error_code ec);
  void close_with(std::uint16_t code, close_reason reason);
  void send_close_frame(std::string payload);
  void finish_socket();
  void report_closed(close_reason reason);

  stream_socket socket_;
  connection_slot slot_;  // counts the socket against max_connections
  protocol_version protocol_;
  std::shared_ptr<const options> opts_;
  ws::frame_reader reader_;
  std::unique_ptr<asio::steady_timer> deadline_;     // made when our close frame is queued
  std::unique_ptr<asio::steady_timer> write_timer_;  // made on the first write
  std::chrono::steady_clock::time_point write_started_;
  std::string partial_;  // the start of a frame still arriving; empty while idle
  std::vector<frame> pending_;
  std::size_t pending_bytes_ = 0;  // payloads in pending_, held to max_buffered_bytes
  std::vector<frame> in_flight_;
  // The write in flight: its frames, their headers, and the gather list over both (kept across
  // writes so that a write allocates nothing once the connection has warmed up).
  std::vector<ws::frame_header> headers_;
  std::vector<asio::const_buffer> buffers_;
  bool writing_ = false;
  bool write_timer_armed_ = false;
  bool close_sent_ = false;  // our close frame is queued: nothing more goes out
  bool closed_ = false;      // the session was told
  bool draining_ = false;    // reading only to let the peer finish (see close_with)
};

}  // namespace engineio::detail
