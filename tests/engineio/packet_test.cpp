#include "engineio/packet.hpp"

#include <gtest/gtest.h>

using namespace engineio;

TEST(Packet, DecodesEveryTextType) {
  for (char c = '0'; c <= '6'; ++c) {
    const std::string text = std::string(1, c) + "x";
    auto p = decode_text_packet(text, protocol_version::v4);
    ASSERT_TRUE(p);
    EXPECT_EQ(static_cast<char>(p->type), c);
    EXPECT_EQ(p->data, "x");
    EXPECT_FALSE(p->binary);
  }
}

TEST(Packet, RejectsUnknownTypeAndEmptyText) {
  EXPECT_FALSE(decode_text_packet("7", protocol_version::v4));
  EXPECT_FALSE(decode_text_packet("x4", protocol_version::v4));
  EXPECT_FALSE(decode_text_packet("", protocol_version::v4));
  EXPECT_FALSE(decode_text_packet("b", protocol_version::v3));
  EXPECT_FALSE(decode_text_packet("b9AAAA", protocol_version::v3));
}

TEST(Packet, V4Base64RecordIsABinaryMessage) {
  auto p = decode_text_packet("bAQID", protocol_version::v4);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, packet_type::message);
  EXPECT_TRUE(p->binary);
  EXPECT_TRUE(p->base64);
  EXPECT_EQ(p->data, "AQID");
}

TEST(Packet, V3Base64RecordCarriesItsType) {
  auto p = decode_text_packet("b4AQID", protocol_version::v3);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, packet_type::message);
  EXPECT_TRUE(p->base64);
  EXPECT_EQ(p->data, "AQID");
}

TEST(Packet, BinaryFrameIsTheMessageInV4AndTypedInV3) {
  auto v4 = decode_binary_frame(std::string_view("\x01\x02", 2), protocol_version::v4);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->data, std::string_view("\x01\x02", 2));
  auto v3 = decode_binary_frame(std::string_view("\x04\x01\x02", 3), protocol_version::v3);
  ASSERT_TRUE(v3);
  EXPECT_EQ(v3->type, packet_type::message);
  EXPECT_EQ(v3->data, std::string_view("\x01\x02", 2));
  EXPECT_FALSE(decode_binary_frame(std::string_view("\x09", 1), protocol_version::v3));
}

TEST(Packet, EncodesTypeCharacterThenData) {
  EXPECT_EQ(*make_text_packet(packet_type::message, "hello").bytes, "4hello");
  EXPECT_EQ(*make_text_packet(packet_type::pong, "probe").bytes, "3probe");
  EXPECT_EQ(*make_text_packet(packet_type::ping).bytes, "2");
  auto bin = make_binary_packet("\x01\x02");
  EXPECT_TRUE(bin.binary);
  EXPECT_EQ(*bin.bytes, "\x01\x02");
}
