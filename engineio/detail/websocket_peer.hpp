#pragma once
// A raw WebSocket endpoint's connection: the handshake, then one read loop and a write queue
// drained one frame at a time, on the shard that accepted it; sends from other threads are
// posted there.

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "engineio/detail/connection_limit.hpp"
#include "engineio/detail/connection_stream.hpp"
#include "engineio/detail/http.hpp"
#include "engineio/websocket_endpoint.hpp"

namespace engineio::detail {

class websocket_peer_impl final : public websocket_peer {
 public:
  using stream = beast::websocket::stream<connection_stream>;

  websocket_peer_impl(stream ws, connection_slot slot, request_info info,
                      const websocket_handler& handler, std::size_t max_buffered_bytes);

  /// Answers the upgrade, calling on_open before the answer goes out, then reads until the
  /// peer closes; call once, on the shard.
  void start(detail::request upgrade);
  /// Called once, after the handler's on_close (or after a refused upgrade).
  void on_finished(std::function<void(const websocket_peer_impl&)> f) {
    on_finished_ = std::move(f);
  }

  void send_text(std::string_view text) override { enqueue(std::string(text), false); }
  void send_binary(std::string_view bytes) override { enqueue(std::string(bytes), true); }
  void close(std::uint16_t code) override;
  const request_info& request() const noexcept override { return info_; }

 private:
  struct frame {
    std::string bytes;
    bool binary = false;
  };
  void enqueue(std::string bytes, bool binary);
  void push(frame f);
  void do_read();
  void write_next();
  void start_close(beast::websocket::close_code code);
  void finish(std::uint16_t code);

  stream ws_;
  connection_slot slot_;  // counts the socket against max_connections
  request_info info_;
  const websocket_handler& handler_;
  std::size_t max_buffered_bytes_;
  std::function<void(const websocket_peer_impl&)> on_finished_;
  beast::flat_buffer read_buffer_;
  std::deque<frame> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = true;  // until the handshake is answered, so that frames only queue
  bool opened_ = false;  // on_open was called, so on_close will be
  bool closing_ = false;
  bool finished_ = false;
  beast::websocket::close_code close_code_ = beast::websocket::close_code::normal;
};

}  // namespace engineio::detail
