// negotiate_encoding against the choices Node's negotiator makes, and the codings round trip.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "engineio/content_coding.hpp"

namespace {

using engineio::encode_content;
using engineio::negotiate_encoding;

std::string_view serve_client(std::string_view header) {
  return negotiate_encoding(header, {"br", "gzip", "deflate"});
}

TEST(NegotiateEncoding, FollowsTheClientsOrderAtEqualQuality) {
  EXPECT_EQ(serve_client("gzip, deflate, br, zstd"), "gzip");
  EXPECT_EQ(serve_client("deflate, gzip, br"), "deflate");
  EXPECT_EQ(serve_client("br"), "br");
}

TEST(NegotiateEncoding, RanksByQuality) {
  EXPECT_EQ(serve_client("gzip;q=0.5, br;q=0.2, deflate;q=0.9"), "deflate");
  EXPECT_EQ(serve_client("gzip;q=0, deflate"), "deflate");
  EXPECT_EQ(serve_client("gzip;q=0, deflate;q=0, br;q=0"), "");
}

TEST(NegotiateEncoding, WildcardTakesTheServersFirstChoiceButNotARefusedOne) {
  EXPECT_EQ(serve_client("*"), "br");
  EXPECT_EQ(serve_client("br;q=0, *"), "gzip");
}

TEST(NegotiateEncoding, NoHeaderOrIdentityMeansNoCoding) {
  EXPECT_EQ(serve_client(""), "");
  EXPECT_EQ(serve_client("identity"), "");
  EXPECT_EQ(serve_client("zstd"), "");
  EXPECT_EQ(serve_client("gzip;q=abc"), "");  // parseFloat gives NaN: never acceptable
}

TEST(NegotiateEncoding, NamesAreCaseInsensitive) {
  EXPECT_EQ(serve_client("GZIP"), "gzip");
}

std::string inflate_all(const std::string& in, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, window_bits), Z_OK);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

TEST(EncodeContent, GzipAndDeflateRoundTrip) {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "socket.io " + std::to_string(i) + "\n";
  auto gz = encode_content(body, "gzip");
  ASSERT_TRUE(gz);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // the gzip magic
  EXPECT_EQ(inflate_all(*gz, 15 + 16), body);
  auto deflated = encode_content(body, "deflate");
  ASSERT_TRUE(deflated);
  EXPECT_EQ(inflate_all(*deflated, 15), body);
  auto br = encode_content(body, "br");
  ASSERT_TRUE(br);
  EXPECT_LT(br->size(), body.size() / 4);
  EXPECT_FALSE(encode_content(body, "zstd"));
}

}  // namespace
