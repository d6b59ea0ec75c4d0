// WebSocket frame reader (engineio/detail/ws_frames.hpp), fed as a stream the way
// plain_websocket_transport::handle_frames feeds it: bytes arrive in chunks, the reader is
// called until it needs more, the unconsumed tail waits for the next chunk. Messages are then
// decoded as Engine.IO packets, as the transport does.
//
// Input: byte 0 picks max_message (low 2 bits) and the protocol (bit 2). The chunk sizes are
// taken from the end of the input (FuzzedDataProvider), the stream bytes from the front.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engineio/detail/utf8.hpp"
#include "engineio/detail/ws_frames.hpp"
#include "engineio/packet.hpp"
#include "fuzz_check.hpp"

namespace ws = engineio::detail::ws;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  auto mode = in.ConsumeIntegral<std::uint8_t>();
  static constexpr std::size_t limits[] = {125, 1000, 65536, 1000000};
  std::size_t max_message = limits[mode & 3];
  auto version = (mode & 4) ? engineio::protocol_version::v4 : engineio::protocol_version::v3;

  ws::frame_reader reader(max_message);
  std::string buffered;
  std::size_t delivered = 0;
  while (in.remaining_bytes() > 0) {
    auto chunk_size = in.ConsumeIntegralInRange<std::size_t>(1, 4096);
    auto chunk = in.ConsumeBytesAsString(chunk_size);
    if (chunk.empty()) break;
    buffered += chunk;
    std::size_t total = 0;
    while (true) {
      std::size_t used = 0;
      auto e = reader.next(std::string_view(buffered).substr(total), used);
      FUZZ_CHECK(used <= buffered.size() - total);
      total += used;
      switch (e.kind) {
        case ws::frame_reader::event::need_more:
          if (used == 0) goto next_chunk;
          continue;
        case ws::frame_reader::event::message: {
          FUZZ_CHECK(e.payload.size() <= max_message);
          FUZZ_CHECK(e.binary || engineio::detail::valid_utf8(e.payload));
          ++delivered;
          auto p = e.binary ? engineio::decode_binary_frame(e.payload, version)
                            : engineio::decode_text_packet(e.payload, version);
          if (p) FUZZ_CHECK(sio_fuzz::within(p->data, e.payload));
          continue;
        }
        case ws::frame_reader::event::ping:
          FUZZ_CHECK(e.payload.size() <= 125);
          continue;
        case ws::frame_reader::event::pong:
          continue;
        case ws::frame_reader::event::close:
        case ws::frame_reader::event::error:
          return 0;  // the transport closes the connection
      }
    }
  next_chunk:
    buffered.erase(0, total);
  }
  (void)delivered;
  return 0;
}
