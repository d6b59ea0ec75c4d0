#pragma once
// The WebSocket transport on Beast's stream, used over TLS and when permessage-deflate may be
// negotiated (otherwise plain_websocket_transport): one read loop, and one write in flight over the
// batch the session handed over (Beast's websocket chat shape). Text packets go out as text frames
// of their encoded bytes; binary ones as binary frames (v3 prefixes the type byte 4).

#include <memory>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "engineio/detail/connection_limit.hpp"
#include "engineio/detail/connection_stream.hpp"
#include "engineio/detail/http.hpp"
#include "engineio/error.hpp"
#include "engineio/options.hpp"
#include "engineio/transport.hpp"

namespace engineio::detail {

using websocket_stream = beast::websocket::stream<connection_stream>;

class websocket_transport final : public transport,
                                  public std::enable_shared_from_this<websocket_transport> {
 public:
  websocket_transport(websocket_stream ws, connection_slot slot, protocol_version protocol,
                      std::shared_ptr<const options> opts);

  /// Starts reading; call once the handshake is done and the session is attached.
  void start();

  transport_kind kind() const noexcept override { return transport_kind::websocket; }
  bool writable() const noexcept override { return !writing_ && !closed_; }
  void send(std::vector<outgoing> packets) override;
  void close() override;

 private:
  void do_read();
  void on_read(beast::error_code ec);
  void write_next();
  void on_write(beast::error_code ec);
  void watch_write();
  void arm_write_timer(std::chrono::steady_clock::time_point due);
  void on_write_timer(beast::error_code ec);
  void request_close();
  void do_close();
  void close_socket();
  void report_closed(close_reason reason);

  websocket_stream ws_;
  connection_slot slot_;  // counts the socket against max_connections
  protocol_version protocol_;
  std::shared_ptr<const options> opts_;
  beast::flat_buffer read_buffer_;
  std::vector<outgoing> batch_;
  std::size_t next_ = 0;
  bool writing_ = false;
  std::unique_ptr<asio::steady_timer> write_timer_;  // made on the first write
  std::chrono::steady_clock::time_point write_started_;
  bool write_timer_armed_ = false;
  std::unique_ptr<asio::steady_timer> close_deadline_;  // made when the close is requested
  bool close_requested_ = false;
  bool closed_ = false;
  beast::websocket::close_code close_code_ = beast::websocket::close_code::none;
};

/// Applies the options every accepted WebSocket gets (message limit, deflate, timeouts).
void configure_websocket(websocket_stream& ws, const options& opts);

}  // namespace engineio::detail
