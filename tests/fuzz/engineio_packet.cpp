// Engine.IO packet decoder: decode_text_packet and decode_binary_frame (engineio/packet.hpp).
// Input byte 0 picks the variant: bit 0 the protocol (v3/v4), bit 1 text packet or binary
// frame; the rest is the WebSocket message or polling record.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engineio/detail/base64.hpp"
#include "engineio/packet.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto version = (data[0] & 1) ? engineio::protocol_version::v4 : engineio::protocol_version::v3;
  bool binary = (data[0] & 2) != 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  auto p = binary ? engineio::decode_binary_frame(in, version)
                  : engineio::decode_text_packet(in, version);
  if (!p) return 0;
  FUZZ_CHECK(sio_fuzz::within(p->data, in));
  // A base64 record is decoded when delivered (session.cpp).
  if (p->base64) (void)engineio::detail::base64_decode(p->data);
  return 0;
}
