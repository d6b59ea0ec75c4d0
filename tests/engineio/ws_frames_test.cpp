// The WebSocket framing of the plain transport: server headers, and client frames read back
// with the close codes Node's `ws` gives to protocol errors.
#include <gtest/gtest.h>

#include <string>

#include "engineio/detail/utf8.hpp"
#include "engineio/detail/ws_frames.hpp"

namespace {

using namespace engineio::detail::ws;
using engineio::detail::valid_utf8;
using event = frame_reader::event;

// A masked client frame.
std::string client_frame(std::uint8_t first_byte, const std::string& payload,
                         std::string mask = "\x01\x02\x03\x04") {
  std::string f(1, static_cast<char>(first_byte));
  if (payload.size() < 126) {
    f += static_cast<char>(0x80 | payload.size());
  } else {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  }
  f += mask;
  for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
  return f;
}

event read_one(frame_reader& r, const std::string& bytes, std::size_t* used_out = nullptr) {
  std::size_t used = 0;
  auto e = r.next(bytes, used);
  if (used_out) *used_out = used;
  return e;
}

TEST(WsFrames, HeadersForEachLengthForm) {
  auto small = make_header(opcode::text, 5);
  EXPECT_EQ(std::string(small.bytes.data(), small.size), std::string("\x81\x05", 2));
  auto medium = make_header(opcode::binary, 300);
  EXPECT_EQ(std::string(medium.bytes.data(), medium.size), std::string("\x82\x7e\x01\x2c", 4));
  auto large = make_header(opcode::text, 70000);
  EXPECT_EQ(std::string(large.bytes.data(), large.size),
            std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10));
}

TEST(WsFrames, ReadsMessagesAcrossPartialInput) {
  frame_reader r(1000);
  auto frame = client_frame(0x81, "4hello");
  std::size_t used = 0;
  EXPECT_EQ(read_one(r, frame.substr(0, 3), &used).kind, event::need_more);
  EXPECT_EQ(used, 0u);
  auto e = read_one(r, frame, &used);
  EXPECT_EQ(e.kind, event::message);
  EXPECT_FALSE(e.binary);
  EXPECT_EQ(e.payload, "4hello");
  EXPECT_EQ(used, frame.size());
}

TEST(WsFrames, JoinsFragmentsAndAnswersControlFramesBetweenThem) {
  frame_reader r(1000);
  std::size_t used = 0;
  EXPECT_EQ(read_one(r, client_frame(0x02, "ab"), &used).kind, event::need_more);  // not final
  EXPECT_GT(used, 0u);
  auto ping = read_one(r, client_frame(0x89, "p"));
  EXPECT_EQ(ping.kind, event::ping);
  EXPECT_EQ(ping.payload, "p");
  auto e = read_one(r, client_frame(0x80, "cd"));  // final continuation
  EXPECT_EQ(e.kind, event::message);
  EXPECT_TRUE(e.binary);
  EXPECT_EQ(e.payload, "abcd");
  EXPECT_EQ(read_one(r, client_frame(0x81, "next")).payload, "next");
}

TEST(WsFrames, CloseCarriesThePeersCode) {
  frame_reader r(1000);
  auto e = read_one(r, client_frame(0x88, close_payload(4000, "bye")));
  EXPECT_EQ(e.kind, event::close);
  EXPECT_EQ(e.code, 4000);
  frame_reader r2(1000);
  EXPECT_EQ(read_one(r2, client_frame(0x88, "")).code, 1005);
}

TEST(WsFrames, ProtocolErrorsGetNodesCloseCodes) {
  auto code_of = [](const std::string& bytes, std::size_t max = 1000) {
    frame_reader r(max);
    auto e = read_one(r, bytes);
    return e.kind == event::error ? e.code : 0;
  };
  std::string unmasked("\x81\x02hi", 4);
  EXPECT_EQ(code_of(unmasked), 1002);
  EXPECT_EQ(code_of(client_frame(0xc1, "x")), 1002);                    // RSV1 without deflate
  EXPECT_EQ(code_of(client_frame(0x83, "x")), 1002);                    // reserved opcode
  EXPECT_EQ(code_of(client_frame(0x80, "x")), 1002);                    // continuation of nothing
  EXPECT_EQ(code_of(client_frame(0x09, "x")), 1002);                    // fragmented ping
  EXPECT_EQ(code_of(client_frame(0x89, std::string(126, 'x'))), 1002);  // control > 125
  EXPECT_EQ(code_of(client_frame(0x88, close_payload(1005))), 1002);    // reserved close code
  EXPECT_EQ(code_of(client_frame(0x88, "x")), 1002);                    // one-byte close
  EXPECT_EQ(code_of(client_frame(0x81, "\xff")), 1007);                 // not UTF-8
  EXPECT_EQ(code_of(client_frame(0x81, "\xed\xa0\x80")), 1007);         // a surrogate
  EXPECT_EQ(code_of(client_frame(0x82, std::string(300, 'x')), 200), 1009);
}

TEST(WsFrames, TooBigIsRefusedFromTheHeaderAlone) {
  frame_reader r(100);
  auto frame = client_frame(0x82, std::string(300, 'x'));
  auto e = read_one(r, frame.substr(0, 4));  // only the header has arrived
  EXPECT_EQ(e.kind, event::error);
  EXPECT_EQ(e.code, 1009);
}

TEST(WsFrames, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("h\xc3\xa9llo \xf0\x9f\x91\x8b"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe2\x82"));          // cut short
}

}  // namespace
