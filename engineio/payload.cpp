#include "engineio/payload.hpp"

#include <algorithm>
#include <charconv>

#include "engineio/detail/base64.hpp"
#include "engineio/detail/utf16.hpp"

namespace engineio {
namespace {

constexpr char record_separator = '\x1e';

encoded_payload encode_v4(std::span<const outgoing> packets) {
  std::string body;
  for (const auto& p : packets) {
    if (&p != &packets.front()) body += record_separator;
    if (p.binary) {
      body += 'b';
      detail::base64_append(body, *p.bytes);
    } else {
      body += *p.bytes;
    }
  }
  return {std::move(body), false};
}

encoded_payload encode_v3_text(std::span<const outgoing> packets) {
  if (packets.empty()) return {"0:", false};
  std::string body;
  std::string b64;
  for (const auto& p : packets) {
    if (p.binary) {
      b64 = "b4";
      detail::base64_append(b64, *p.bytes);
      body += std::to_string(b64.size());
      body += ':';
      body += b64;
    } else {
      body += std::to_string(detail::utf16_length(*p.bytes));
      body += ':';
      body += *p.bytes;
    }
  }
  return {std::move(body), false};
}

// Each record: a marker byte (0 text, 1 binary), the decimal length one digit per byte, 0xff,
// then the packet; a binary packet starts with its type as a byte (4).
encoded_payload encode_v3_binary(std::span<const outgoing> packets) {
  std::string body;
  for (const auto& p : packets) {
    std::size_t length = p.bytes->size() + (p.binary ? 1 : 0);
    body += static_cast<char>(p.binary ? 1 : 0);
    for (char digit : std::to_string(length)) body += static_cast<char>(digit - '0');
    body += '\xff';
    if (p.binary) body += '\x04';
    body += *p.bytes;
  }
  return {std::move(body), true};
}

decoded_payload decode_v4(std::string_view body) {
  decoded_payload out;
  while (true) {
    auto end = body.find(record_separator);
    auto record = body.substr(0, end);
    auto p = decode_text_packet(record, protocol_version::v4);
    if (!p) {
      out.error = true;
      return out;
    }
    out.packets.push_back(*p);
    if (end == std::string_view::npos) return out;
    body.remove_prefix(end + 1);
  }
}

decoded_payload decode_v3_text(std::string_view body) {
  decoded_payload out;
  out.error = body.empty();
  while (!body.empty()) {
    auto colon = body.find(':');
    std::size_t units = 0;
    auto digits = body.substr(0, colon);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), units);
    if (colon == std::string_view::npos || digits.empty() || ec != std::errc{} ||
        end != digits.data() + digits.size()) {
      out.error = true;
      return out;
    }
    body.remove_prefix(colon + 1);
    auto bytes = detail::utf8_prefix_bytes(body, units);
    if (!bytes) {
      out.error = true;
      return out;
    }
    if (*bytes > 0) {
      auto p = decode_text_packet(body.substr(0, *bytes), protocol_version::v3);
      if (!p) {
        out.error = true;
        return out;
      }
      out.packets.push_back(*p);
    }
    body.remove_prefix(*bytes);
  }
  return out;
}

decoded_payload decode_v3_binary(std::string_view body) {
  decoded_payload out;
  while (!body.empty()) {
    bool is_text = body.front() == 0;
    std::size_t length = 0;
    std::size_t i = 1;
    for (; i < body.size() && body[i] != '\xff'; ++i) {
      auto digit = static_cast<unsigned char>(body[i]);
      // 310 digits is where Node gives up too (the length of Number.MAX_VALUE).
      if (digit > 9 || i > 310) {
        out.error = true;
        return out;
      }
      length = length * 10 + digit;
    }
    if (i >= body.size() || body.size() - i - 1 < length) {
      out.error = true;
      return out;
    }
    auto record = body.substr(i + 1, length);
    auto p = is_text ? decode_text_packet(record, protocol_version::v3)
                     : decode_binary_frame(record, protocol_version::v3);
    if (!p) {
      out.error = true;
      return out;
    }
    out.packets.push_back(*p);
    body.remove_prefix(i + 1 + length);
  }
  return out;
}

}  // namespace

encoded_payload encode_payload(std::span<const outgoing> packets, protocol_version version,
                               bool supports_binary) {
  if (version == protocol_version::v4) return encode_v4(packets);
  bool any_binary =
      std::any_of(packets.begin(), packets.end(), [](const auto& p) { return p.binary; });
  return supports_binary && any_binary ? encode_v3_binary(packets) : encode_v3_text(packets);
}

decoded_payload decode_payload(std::string_view body, protocol_version version, bool binary_body) {
  if (version == protocol_version::v4) return decode_v4(body);
  return binary_body ? decode_v3_binary(body) : decode_v3_text(body);
}

}  // namespace engineio
