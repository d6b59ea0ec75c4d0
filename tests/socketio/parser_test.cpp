// Socket.IO packets in exact wire strings, both ways, as Node's socket.io-parser writes and reads.

#include "socketio/parser.hpp"

#include <gtest/gtest.h>

using namespace socketio;
using namespace std::string_literals;

namespace {

std::string wire(const packet& p) {
  return *encode(p).frames.at(0).bytes;
}

packet decode_one(std::string_view text) {
  decoder d;
  EXPECT_EQ(d.add_text(text), decoder::status::complete) << d.error();
  return d.take();
}

decoder::status decode_status(std::string_view text) {
  decoder d;
  return d.add_text(text);
}

}  // namespace

TEST(Encode, EventsAcksAndNamespaces) {
  EXPECT_EQ(wire({packet_type::event, "/", std::nullopt, array{"chat", "hi"}}),
            R"(42["chat","hi"])");
  EXPECT_EQ(wire({packet_type::event, "/admin", 12, array{"a", 1}}), R"(42/admin,12["a",1])");
  EXPECT_EQ(wire({packet_type::ack, "/", 3, array{"ok"}}), R"(433["ok"])");
  EXPECT_EQ(wire({packet_type::connect, "/", std::nullopt, object{{"sid", "x"}}}),
            R"(40{"sid":"x"})");
  EXPECT_EQ(wire({packet_type::connect, "/chat", std::nullopt, std::nullopt}), "40/chat,");
  EXPECT_EQ(wire({packet_type::disconnect, "/chat", std::nullopt, std::nullopt}), "41/chat,");
  EXPECT_EQ(wire({packet_type::connect_error, "/", std::nullopt, object{{"message", "nope"}}}),
            R"(44{"message":"nope"})");
}

TEST(Encode, BinaryLeavesBecomePlaceholdersInOrder) {
  auto enc = encode({packet_type::event, "/", std::nullopt,
                     array{"up", binary{"\x01"}, object{{"deep", array{binary{"\x02\x03"}}}}}});
  ASSERT_EQ(enc.frames.size(), 3u);
  EXPECT_EQ(*enc.frames[0].bytes,
            R"(452-["up",{"_placeholder":true,"num":0},{"deep":[{"_placeholder":true,"num":1}]}])");
  EXPECT_FALSE(enc.frames[0].binary);
  EXPECT_TRUE(enc.frames[1].binary);
  EXPECT_EQ(*enc.frames[1].bytes, "\x01");
  EXPECT_EQ(*enc.frames[2].bytes, "\x02\x03");
  auto ack = encode({packet_type::ack, "/x", 7, array{binary{"b"}}});
  EXPECT_EQ(*ack.frames[0].bytes, R"(461-/x,7[{"_placeholder":true,"num":0}])");
  // Found by the parser fuzzer: a binary type with nothing binary went out as "60-", which
  // every decoder refuses.
  EXPECT_EQ(wire({packet_type::binary_ack, "/", 3, array{"x"}}), R"(433["x"])");
  EXPECT_EQ(wire({packet_type::binary_event, "/", std::nullopt, array{"e"}}), R"(42["e"])");
}

TEST(Encode, NumbersAsJsonStringifyWritesThem) {
  EXPECT_EQ(wire({packet_type::event, "/", std::nullopt, array{"n", 1.5, 2.0, -3, 1e300}}),
            R"(42["n",1.5,2,-3,1e300])");
}

TEST(Decode, ReadsTypeNamespaceIdAndData) {
  auto p = decode_one(R"(2/admin,12["a",{"b":[1,2]}])");
  EXPECT_EQ(p.type, packet_type::event);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.id, 12u);
  EXPECT_EQ((*p.data)[1]["b"][1].as_int(), 2);

  auto connect = decode_one(R"(0{"token":"abc"})");
  EXPECT_EQ(connect.nsp, "/");
  EXPECT_EQ((*connect.data)["token"].as_string(), "abc");

  auto v2 = decode_one("0/chat?x=1,");
  EXPECT_EQ(v2.nsp, "/chat?x=1");
  EXPECT_FALSE(v2.data);
}

TEST(Decode, RebuildsBinaryFromAttachments) {
  decoder d;
  ASSERT_EQ(d.add_text(R"(52-["up",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])"),
            decoder::status::waiting);
  ASSERT_EQ(d.add_binary("first"), decoder::status::waiting);
  ASSERT_EQ(d.add_binary("second"), decoder::status::complete);
  auto p = d.take();
  EXPECT_EQ((*p.data)[1].as_binary(), "second");
  EXPECT_EQ((*p.data)[2].as_binary(), "first");
}

TEST(Decode, RefusesWhatNodeRefuses) {
  EXPECT_EQ(decode_status(""), decoder::status::error);
  EXPECT_EQ(decode_status("7"), decoder::status::error);
  EXPECT_EQ(decode_status("x"), decoder::status::error);
  EXPECT_EQ(decode_status(R"(2{"a":1})"), decoder::status::error);  // event payload not an array
  EXPECT_EQ(decode_status(R"(2[])"), decoder::status::error);       // no event name
  EXPECT_EQ(decode_status(R"(2["connect"])"), decoder::status::error);  // reserved name
  EXPECT_EQ(decode_status(R"(2[{"a":1}])"), decoder::status::error);    // name not string/number
  EXPECT_EQ(decode_status(R"(3{"a":1})"), decoder::status::error);      // ack payload not an array
  EXPECT_EQ(decode_status(R"(1{"a":1})"), decoder::status::error);      // disconnect with payload
  EXPECT_EQ(decode_status(R"(0[1])"), decoder::status::error);      // connect payload not object
  EXPECT_EQ(decode_status(R"(2["a",)"), decoder::status::error);    // invalid JSON
  EXPECT_EQ(decode_status(R"(5x-["a"])"), decoder::status::error);  // bad attachment count
  EXPECT_EQ(decode_status(R"(5["a"])"), decoder::status::error);    // no attachment count

  decoder d;
  EXPECT_EQ(d.add_binary("x"), decoder::status::error);  // binary with nothing to rebuild
  ASSERT_EQ(d.add_text(R"(51-["a",{"_placeholder":true,"num":0}])"), decoder::status::waiting);
  EXPECT_EQ(d.add_text(R"(2["a"])"), decoder::status::error);  // text while rebuilding

  decoder bad_index;
  ASSERT_EQ(bad_index.add_text(R"(51-["a",{"_placeholder":true,"num":5}])"),
            decoder::status::waiting);
  EXPECT_EQ(bad_index.add_binary("x"), decoder::status::error);
}

// socket.io-parser 4.2.x: at least one attachment, at most maxAttachments (10).
TEST(Decode, RefusesAttachmentCountsAsNodeDoes) {
  decoder d;
  EXPECT_EQ(d.add_text(R"(50-["a"])"), decoder::status::error);
  EXPECT_EQ(d.error(), "Illegal attachments");
  EXPECT_EQ(d.add_text(R"(60-[])"), decoder::status::error);
  EXPECT_EQ(d.error(), "Illegal attachments");
  EXPECT_EQ(d.add_text(R"(511-["a"])"), decoder::status::error);
  EXPECT_EQ(d.error(), "too many attachments");
  EXPECT_EQ(d.add_text(R"(5999999999-["a"])"), decoder::status::error);
  EXPECT_EQ(d.error(), "too many attachments");
  EXPECT_EQ(d.add_text(R"(5999999999999999999999999-["a"])"), decoder::status::error);
  EXPECT_EQ(d.error(), "too many attachments");
  EXPECT_EQ(d.add_text(R"(510-["a"])"), decoder::status::waiting);

  decoder two(parser_kind::json, 2);  // server_options::max_attachments
  EXPECT_EQ(two.add_text(R"(53-["a"])"), decoder::status::error);
  EXPECT_EQ(two.error(), "too many attachments");
  EXPECT_EQ(two.add_text(R"(52-["a"])"), decoder::status::waiting);
}

// Node hands every placeholder the same Buffer; a copy per placeholder would turn 1 MB of
// attachment and 1 MB of text into 30 GB. One placeholder per attachment: clients never send more.
TEST(Decode, RefusesAttachmentsReferencedTwice) {
  std::string text = R"(51-["e")";
  for (int i = 0; i < 30000; ++i) text += R"(,{"_placeholder":true,"num":0})";
  text += "]";
  decoder d;
  ASSERT_EQ(d.add_text(text), decoder::status::waiting);
  EXPECT_EQ(d.add_binary(std::string(1 << 20, 'x')), decoder::status::error);
  EXPECT_EQ(d.error(), "illegal attachments");

  decoder two;
  ASSERT_EQ(
      two.add_text(R"(52-["e",{"_placeholder":true,"num":1},[{"_placeholder":true,"num":1}]])"),
      decoder::status::waiting);
  ASSERT_EQ(two.add_binary("a"), decoder::status::waiting);
  EXPECT_EQ(two.add_binary("b"), decoder::status::error);
}

TEST(Decode, AnAttachmentNoPlaceholderNamesIsDropped) {
  decoder d;
  ASSERT_EQ(d.add_text(R"(52-["e",{"_placeholder":true,"num":1}])"), decoder::status::waiting);
  ASSERT_EQ(d.add_binary("unused"), decoder::status::waiting);
  ASSERT_EQ(d.add_binary("used"), decoder::status::complete) << d.error();
  auto p = d.take();
  ASSERT_EQ(p.data->size(), 2u);
  EXPECT_EQ((*p.data)[1].as_binary(), "used");
}

TEST(Decode, AcceptsNumericEventNamesAndAnyKeyOrder) {
  auto p = decode_one(R"(2[42,{"z":1,"a":2}])");
  EXPECT_EQ((*p.data)[0].as_int(), 42);
  EXPECT_EQ((*p.data)[1]["a"].as_int(), 2);
}

TEST(Decode, DeepNestingIsRefusedNotACrash) {
  std::string deep = "2[\"e\"," + std::string(100000, '[') + std::string(100000, ']') + "]";
  EXPECT_EQ(decode_status(deep), decoder::status::error);
  std::string fine = "2[\"e\"," + std::string(100, '[') + std::string(100, ']') + "]";
  EXPECT_EQ(decode_status(fine), decoder::status::complete);
}

// socket.io-msgpack-parser: the packet object as notepack encodes it, one binary message.
TEST(Msgpack, EncodesThePacketObject) {
  auto enc = encode({packet_type::event, "/", 1, array{"hi", binary{"\x01"}, 1.5, -1, 300}},
                    parser_kind::msgpack);
  ASSERT_EQ(enc.frames.size(), 1u);
  EXPECT_TRUE(enc.frames[0].binary);
  // {type: 2, nsp: "/", data: ["hi", <bin 01>, 1.5, -1, 300], id: 1}
  const std::string expected =
      "\x84\xa4type\x02\xa3nsp\xa1/\xa4"
      "data\x95\xa2hi\xc4\x01\x01"
      "\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00\xff\xcd\x01\x2c\xa2id\x01"s;
  EXPECT_EQ(*enc.frames[0].bytes, expected);
}

// A broadcast with acks numbers the packet per recipient: each id must give exactly what the
// encoder writes for the packet with that id.
TEST(NumberedPacket, GivesWhatEncodeGivesForEachId) {
  const std::vector<packet> packets{
      {packet_type::event, "/", std::nullopt, array{"chat", "hi"}},
      {packet_type::event, "/admin", std::nullopt, array{"up", binary{"\x01"}, 2}},
      {packet_type::event, "/", std::nullopt, std::nullopt},
  };
  for (auto kind : {parser_kind::json, parser_kind::msgpack}) {
    for (const auto& p : packets) {
      numbered_packet numbered(p, kind);
      for (std::uint64_t id : {0ULL, 7ULL, 123456789012ULL}) {
        auto with_id = p;
        with_id.id = id;
        auto want = encode(with_id, kind);
        auto got = numbered.with_id(id);
        ASSERT_EQ(got.frames.size(), want.frames.size());
        for (std::size_t i = 0; i < want.frames.size(); ++i) {
          EXPECT_EQ(*got.frames[i].bytes, *want.frames[i].bytes) << "frame " << i << ", id " << id;
          EXPECT_EQ(got.frames[i].binary, want.frames[i].binary);
        }
      }
    }
  }
  EXPECT_EQ(
      *numbered_packet({packet_type::event, "/admin", std::nullopt, array{"e"}}, parser_kind::json)
           .with_id(12)
           .frames[0]
           .bytes,
      R"(42/admin,12["e"])");
}

TEST(Msgpack, DecodesWhatTheClientSends) {
  decoder d(parser_kind::msgpack);
  // {type: 2, data: ["ev", 1], nsp: "/chat", id: 7}
  const std::string bytes =
      "\x84\xa4type\x02\xa4"
      "data\x92\xa2"
      "ev\x01\xa3nsp\xa5/chat\xa2id\x07"s;
  ASSERT_EQ(d.add_binary(bytes), decoder::status::complete) << d.error();
  auto p = d.take();
  EXPECT_EQ(p.type, packet_type::event);
  EXPECT_EQ(p.nsp, "/chat");
  EXPECT_EQ(p.id, 7u);
  EXPECT_EQ((*p.data)[0].as_string(), "ev");
}

TEST(Msgpack, RefusesTextAndMalformedPackets) {
  decoder d(parser_kind::msgpack);
  EXPECT_EQ(d.add_text(R"(2["a"])"), decoder::status::error);
  EXPECT_EQ(d.add_binary("\x84"), decoder::status::error);                           // truncated
  EXPECT_EQ(d.add_binary("\x82\xa4type\x09\xa3nsp\xa1/"s), decoder::status::error);  // bad type
  EXPECT_EQ(d.add_binary("\x82\xa4type\x02\xa3nsp\x01"s),
            decoder::status::error);  // nsp not a string
  EXPECT_EQ(d.add_binary("\x83\xa4type\x02\xa3nsp\xa1/\xa4"
                         "data\x80"s),
            decoder::status::error);  // data not array
}

TEST(Decode, AcceptsTheMainNamespaceWrittenOut) {
  auto p = decode_one("0/,");
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.data);
  auto e = decode_one(R"(2/,["a"])");
  EXPECT_EQ(e.nsp, "/");
  EXPECT_EQ((*e.data)[0].as_string(), "a");
}
