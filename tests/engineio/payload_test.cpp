#include "engineio/payload.hpp"

#include <gtest/gtest.h>

using namespace engineio;
using namespace std::string_literals;

namespace {

std::vector<outgoing> packets(std::initializer_list<outgoing> list) {
  return list;
}

outgoing text(std::string_view encoded) {
  return {make_shared_bytes(std::string(encoded)), false};
}
outgoing binary(std::string bytes) {
  return {make_shared_bytes(std::move(bytes)), true};
}

}  // namespace

TEST(PayloadV4, JoinsRecordsWithRecordSeparatorAndBase64ForBinary) {
  auto out = encode_payload(packets({text("4hello"), binary("\x01\x02\x03"s), text("2")}),
                            protocol_version::v4, true);
  EXPECT_EQ(out.body,
            "4hello\x1e"
            "bAQID\x1e"
            "2");
  EXPECT_FALSE(out.binary);
}

TEST(PayloadV4, DecodesRecordsAndStopsAtTheFirstBadOne) {
  auto ok = decode_payload(
      "4hello\x1e"
      "bAQID\x1e"
      "3",
      protocol_version::v4, false);
  EXPECT_FALSE(ok.error);
  ASSERT_EQ(ok.packets.size(), 3u);
  EXPECT_EQ(ok.packets[0].data, "hello");
  EXPECT_TRUE(ok.packets[1].base64);
  EXPECT_EQ(ok.packets[2].type, packet_type::pong);

  auto bad = decode_payload(
      "4a\x1e"
      "9b\x1e"
      "4c",
      protocol_version::v4, false);
  EXPECT_TRUE(bad.error);
  ASSERT_EQ(bad.packets.size(), 1u);
  EXPECT_EQ(bad.packets[0].data, "a");
}

TEST(PayloadV3, CountsLengthsInUtf16Units) {
  // "é" is 1 unit, "😀" is 2 (a surrogate pair), as JavaScript's String#length counts.
  auto out =
      encode_payload(packets({text("4é"), text("4😀"), text("2")}), protocol_version::v3, true);
  EXPECT_EQ(out.body, "2:4é3:4😀1:2");
  EXPECT_FALSE(out.binary);
}

TEST(PayloadV3, Base64ForClientsThatAskedForIt) {
  auto out =
      encode_payload(packets({text("4a"), binary("\x01\x02\x03"s)}), protocol_version::v3, false);
  EXPECT_EQ(out.body, "2:4a6:b4AQID");
}

TEST(PayloadV3, BinaryFramingWhenThePayloadHoldsBinary) {
  auto out = encode_payload(packets({text("4é"), binary("\x01\x02"s)}), protocol_version::v3, true);
  // text: 0x00, length "4" (type + 2 UTF-8 bytes + ...)= 3 bytes -> digits 3, 0xff, then bytes;
  // binary: 0x01, length 3 (type byte + 2), 0xff, 0x04, data.
  EXPECT_EQ(out.body,
            "\x00\x03\xff"
            "4é"
            "\x01\x03\xff\x04\x01\x02"s);
  EXPECT_TRUE(out.binary);
}

TEST(PayloadV3, DecodesLengthPrefixedRecords) {
  auto in = decode_payload("2:4é3:4😀1:2", protocol_version::v3, false);
  EXPECT_FALSE(in.error);
  ASSERT_EQ(in.packets.size(), 3u);
  EXPECT_EQ(in.packets[0].data, "é");
  EXPECT_EQ(in.packets[1].data, "😀");
  EXPECT_EQ(in.packets[2].type, packet_type::ping);
}

TEST(PayloadV3, RejectsBadFraming) {
  EXPECT_TRUE(decode_payload("", protocol_version::v3, false).error);
  EXPECT_TRUE(decode_payload("5:4ab", protocol_version::v3, false).error);
  EXPECT_TRUE(decode_payload("x:4ab", protocol_version::v3, false).error);
  EXPECT_TRUE(decode_payload("2:4a3", protocol_version::v3, false).error);
  // The length would split the surrogate pair of 😀.
  EXPECT_TRUE(decode_payload("2:4😀", protocol_version::v3, false).error);
}

TEST(PayloadV3, DecodesBinaryFraming) {
  auto body =
      "\x00\x02\xff"
      "4a"
      "\x01\x03\xff\x04\x01\x02"s;
  auto in = decode_payload(body, protocol_version::v3, true);
  EXPECT_FALSE(in.error);
  ASSERT_EQ(in.packets.size(), 2u);
  EXPECT_EQ(in.packets[0].data, "a");
  EXPECT_TRUE(in.packets[1].binary);
  EXPECT_EQ(in.packets[1].data, "\x01\x02"s);
  EXPECT_TRUE(decode_payload("\x00\x09\xff"
                             "4a"s,
                             protocol_version::v3, true)
                  .error);
}
