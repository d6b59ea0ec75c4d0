#pragma once
// WebSocket framing (RFC 6455) for the server side of connections without extensions, so that
// every frame queued for one client can leave in a single gather write (uWebSockets' corking):
// headers for server frames, and a reader of client frames that unmasks, joins fragments and
// enforces the protocol with the close codes Node's `ws` uses.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace engineio::detail::ws {

enum class opcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10
};

/// The header of an unmasked, final server frame.
struct frame_header {
  std::array<char, 10> bytes{};
  std::uint8_t size = 0;
};
frame_header make_header(opcode op, std::size_t payload_length);

/// A close frame's payload: the code, big-endian, then the reason.
std::string close_payload(std::uint16_t code, std::string_view reason = {});

class frame_reader {
 public:
  /// `max_message`: the most payload bytes one message may carry (its fragments together).
  explicit frame_reader(std::size_t max_message) : max_message_(max_message) {}

  struct event {
    enum kind_t { need_more, message, ping, pong, close, error } kind = need_more;
    bool binary = false;
    /// The message or control payload; valid until the next call.
    std::string_view payload;
    /// close: the code the peer sent (1005 when none); error: the code to close with.
    std::uint16_t code = 0;
  };

  /// Decodes the next event from `data`; `consumed` tells how many bytes it used up (the caller
  /// drops them). `need_more` with bytes consumed was a fragment: call again. After an error
  /// the stream is unusable.
  event next(std::string_view data, std::size_t& consumed);

 private:
  std::size_t max_message_;
  std::string message_;  // fragments received so far
  std::string control_;
  bool in_message_ = false;
  bool binary_ = false;
  bool delivered_ = false;
};

}  // namespace engineio::detail::ws
