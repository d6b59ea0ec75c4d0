// Engine.IO polling payload decoder: decode_payload (engineio/payload.hpp).
// Input byte 0 picks the variant: bit 0 the protocol (v3/v4), bit 1 a binary body
// (application/octet-stream, v3 binary framing); the rest is the POST body.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engineio/detail/base64.hpp"
#include "engineio/payload.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto version = (data[0] & 1) ? engineio::protocol_version::v4 : engineio::protocol_version::v3;
  bool binary_body = (data[0] & 2) != 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto decoded = engineio::decode_payload(body, version, binary_body);
  FUZZ_CHECK(decoded.packets.size() <= body.size() + 1);
  for (const auto& p : decoded.packets) {
    FUZZ_CHECK(sio_fuzz::within(p.data, body));
    if (p.base64) (void)engineio::detail::base64_decode(p.data);
  }
  return 0;
}
