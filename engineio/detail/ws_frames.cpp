#include "engineio/detail/ws_frames.hpp"

#include "engineio/detail/utf8.hpp"

namespace engineio::detail::ws {
namespace {

frame_reader::event failure(std::uint16_t code) {
  frame_reader::event e;
  e.kind = frame_reader::event::error;
  e.code = code;
  return e;
}

constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t invalid_payload = 1007;
constexpr std::uint16_t too_big = 1009;

// Codes a peer may send in a close frame (RFC 6455 7.4, as `ws` checks them).
bool valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006) ||
         (code >= 3000 && code <= 4999);
}

}  // namespace

frame_header make_header(opcode op, std::size_t length) {
  frame_header h;
  h.bytes[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(op));
  if (length < 126) {
    h.bytes[1] = static_cast<char>(length);
    h.size = 2;
  } else if (length <= 0xffff) {
    h.bytes[1] = 126;
    h.bytes[2] = static_cast<char>(length >> 8);
    h.bytes[3] = static_cast<char>(length);
    h.size = 4;
  } else {
    h.bytes[1] = 127;
    for (int i = 0; i < 8; ++i) h.bytes[2 + i] = static_cast<char>(length >> (56 - 8 * i));
    h.size = 10;
  }
  return h;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code & 0xff);
  p += reason;
  return p;
}

frame_reader::event frame_reader::next(std::string_view data, std::size_t& consumed) {
  consumed = 0;
  if (delivered_) {  // the last message's payload view has served its purpose
    message_.clear();
    if (message_.capacity() > 4096) message_.shrink_to_fit();  // idle connections stay small
    delivered_ = false;
  }
  if (data.size() < 2) return {};
  auto b0 = static_cast<std::uint8_t>(data[0]);
  auto b1 = static_cast<std::uint8_t>(data[1]);
  bool fin = (b0 & 0x80) != 0;
  auto op = static_cast<opcode>(b0 & 0x0f);
  bool control = (b0 & 0x08) != 0;
  // No extension is negotiated, so no RSV bit may be set; client frames must be masked.
  if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0) return failure(protocol_error);
  if (op != opcode::continuation && op != opcode::text && op != opcode::binary &&
      op != opcode::close && op != opcode::ping && op != opcode::pong) {
    return failure(protocol_error);
  }
  std::size_t header = 2;
  std::uint64_t length = b1 & 0x7f;
  if (length == 126) {
    if (data.size() < 4) return {};
    length = (std::uint64_t{static_cast<std::uint8_t>(data[2])} << 8) |
             static_cast<std::uint8_t>(data[3]);
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10) return {};
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | static_cast<std::uint8_t>(data[2 + i]);
    header = 10;
  }
  if (control && (!fin || length > 125)) return failure(protocol_error);
  if (!control) {
    if ((op == opcode::continuation) != in_message_) return failure(protocol_error);
    // Refuse as soon as the header says the message will be too big, before buffering it.
    if (length > max_message_ || message_.size() + length > max_message_) {
      return failure(too_big);
    }
  }
  if (data.size() < header + 4 + length) return {};
  const char* mask = data.data() + header;
  const char* payload = mask + 4;
  auto n = static_cast<std::size_t>(length);
  consumed = header + 4 + n;

  std::string& target = control ? control_ : message_;
  if (control) control_.clear();
  auto start = target.size();
  target.resize(start + n);
  for (std::size_t i = 0; i < n; ++i)
    target[start + i] = static_cast<char>(payload[i] ^ mask[i % 4]);

  event e;
  switch (op) {
    case opcode::ping:
      e.kind = event::ping;
      e.payload = control_;
      return e;
    case opcode::pong:
      e.kind = event::pong;
      return e;
    case opcode::close: {
      if (n == 1) return failure(protocol_error);
      e.kind = event::close;
      e.code = 1005;
      if (n >= 2) {
        e.code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(control_[0]) << 8) |
                                            static_cast<std::uint8_t>(control_[1]));
        if (!valid_close_code(e.code)) return failure(protocol_error);
        if (!detail::valid_utf8(std::string_view(control_).substr(2)))
          return failure(invalid_payload);
      }
      return e;
    }
    default:
      break;
  }
  if (op != opcode::continuation) {
    in_message_ = true;
    binary_ = op == opcode::binary;
  }
  if (!fin) return {};  // a fragment: bytes consumed, no event yet
  in_message_ = false;
  delivered_ = true;
  if (!binary_ && !detail::valid_utf8(message_)) return failure(invalid_payload);
  e.kind = event::message;
  e.binary = binary_;
  e.payload = message_;
  return e;
}

}  // namespace engineio::detail::ws
