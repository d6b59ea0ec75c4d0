// The small helpers behind the transports: base64, UTF-16 lengths, JSONP, CORS, cookies, gzip.

#include <gtest/gtest.h>
#include <zlib.h>

#include "engineio/content_coding.hpp"
#include "engineio/detail/base64.hpp"
#include "engineio/detail/compression.hpp"
#include "engineio/detail/cookie.hpp"
#include "engineio/detail/cors.hpp"
#include "engineio/detail/json_string.hpp"
#include "engineio/detail/jsonp.hpp"
#include "engineio/detail/utf16.hpp"

using namespace engineio;
using namespace engineio::detail;

TEST(Base64, RoundTripsWithPadding) {
  std::string out;
  base64_append(out, "hello!?");
  EXPECT_EQ(out, "aGVsbG8hPw==");
  EXPECT_EQ(base64_decode("aGVsbG8hPw=="), "hello!?");
  EXPECT_EQ(base64_decode("aGVsbG8hPw"), "hello!?");
  EXPECT_FALSE(base64_decode("a*b="));
}

TEST(Utf16, CountsSurrogatePairsAsTwo) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("é€"), 2u);
  EXPECT_EQ(utf16_length("😀𝄞"), 4u);
  EXPECT_EQ(utf8_prefix_bytes("a😀b", 3), 5u);
  EXPECT_FALSE(utf8_prefix_bytes("a😀b", 2));
  EXPECT_FALSE(utf8_prefix_bytes("ab", 3));
}

TEST(JsonString, EscapesLikeJsonStringifyAndLineSeparators) {
  std::string out;
  append_json_string(out, "a\"b\\c\n\x01\xe2\x80\xa8");
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001\u2028")");
}

TEST(Jsonp, WrapsAndUnwraps) {
  EXPECT_EQ(jsonp_index("1a2"), "12");
  EXPECT_EQ(wrap_jsonp("0", "4hi\""), R"(___eio[0]("4hi\"");)");
  // "\n" in the form is a newline, "\\n" a literal backslash-n; '+' is a space.
  EXPECT_EQ(decode_jsonp_body("x=1&d=4a%5Cnb+c%5C%5Cn"), "4a\nb c\\n");
  EXPECT_FALSE(decode_jsonp_body("x=1"));
}

TEST(Cors, AnyOriginAndPreflight) {
  cors_options cors;
  request req{http::verb::options, "/engine.io/", 11};
  req.set(http::field::origin, "http://a.example");
  req.set(http::field::access_control_request_headers, "content-type");
  http::fields out;
  add_cors_headers(cors, req, true, out);
  EXPECT_EQ(out[http::field::access_control_allow_origin], "*");
  EXPECT_EQ(out[http::field::access_control_allow_methods], "GET,HEAD,PUT,PATCH,POST,DELETE");
  EXPECT_EQ(out[http::field::access_control_allow_headers], "content-type");
  EXPECT_EQ(out[http::field::vary], "Access-Control-Request-Headers");
}

TEST(Cors, OriginListReflectsOnlyAllowedOrigins) {
  cors_options cors;
  cors.origin = {"http://a.example", "http://b.example"};
  cors.credentials = true;
  request req{http::verb::get, "/engine.io/", 11};
  req.set(http::field::origin, "http://b.example");
  http::fields out;
  add_cors_headers(cors, req, false, out);
  EXPECT_EQ(out[http::field::access_control_allow_origin], "http://b.example");
  EXPECT_EQ(out[http::field::access_control_allow_credentials], "true");
  EXPECT_EQ(out[http::field::vary], "Origin");

  req.set(http::field::origin, "http://evil.example");
  http::fields refused;
  add_cors_headers(cors, req, false, refused);
  EXPECT_EQ(refused.count(http::field::access_control_allow_origin), 0u);
}

TEST(Cookie, SerializesLikeTheCookiePackage) {
  EXPECT_EQ(serialize_cookie(cookie_options{}, "abc"), "io=abc; Path=/; HttpOnly; SameSite=Lax");
  cookie_options custom;
  custom.name = "sticky";
  custom.http_only = false;
  custom.same_site = "";
  custom.max_age = std::chrono::seconds(60);
  EXPECT_EQ(serialize_cookie(custom, "abc"), "sticky=abc; Max-Age=60; Path=/");
  // Every attribute, in the cookie package's order; Expires as Date#toUTCString.
  cookie_options all;
  all.domain = "example.com";
  all.secure = true;
  all.partitioned = true;
  all.priority = "High";
  all.same_site = "None";
  all.max_age = std::chrono::seconds(60);
  all.expires = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  EXPECT_EQ(
      serialize_cookie(all, "abc"),
      "io=abc; Max-Age=60; Domain=example.com; Path=/; Expires=Tue, 14 Nov 2023 22:13:20 GMT; "
      "HttpOnly; Secure; Partitioned; Priority=High; SameSite=None");
}

TEST(Cookie, OptionsTheCookiePackageRefusesAreRefusedUpFront) {
  EXPECT_NO_THROW(check_cookie(cookie_options{}));
  auto refused = [](auto change) {
    cookie_options c;
    change(c);
    EXPECT_THROW(check_cookie(c), std::invalid_argument);
  };
  refused([](cookie_options& c) { c.name = "a b"; });
  refused([](cookie_options& c) { c.name = ""; });
  refused([](cookie_options& c) { c.path = "/; Secure"; });
  refused([](cookie_options& c) { c.domain = "x.com\r\nSet-Cookie: y=1"; });
  refused([](cookie_options& c) { c.domain = "a b.com"; });
  refused([](cookie_options& c) { c.domain = "example.com."; });
  refused([](cookie_options& c) { c.domain = "-x.com"; });
  cookie_options leading_dot;
  leading_dot.domain = ".example.com";
  EXPECT_NO_THROW(check_cookie(leading_dot));
  refused([](cookie_options& c) { c.same_site = "lax"; });
  refused([](cookie_options& c) { c.priority = "urgent"; });
}

// Node's httpCompression.level: 0 stores, 9 squeezes.
TEST(Compression, TheZlibLevelIsApplied) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "message " + std::to_string(i % 50) + ";";
  auto stored = engineio::encode_content(text, "gzip", 0);
  auto squeezed = engineio::encode_content(text, "gzip", 9);
  ASSERT_TRUE(stored && squeezed);
  EXPECT_GT(stored->size(), text.size());
  EXPECT_LT(squeezed->size(), text.size() / 4);
}

TEST(Compression, GzipsLargeBodiesForClientsThatAcceptIt) {
  request req{http::verb::get, "/", 11};
  req.set(http::field::accept_encoding, "gzip, deflate");
  response res{http::status::ok, 11};
  res.body() = std::string(5000, 'a');
  compress_response(res, req, http_compression_options{});
  EXPECT_EQ(res[http::field::content_encoding], "gzip");
  EXPECT_LT(res.body().size(), 200u);

  std::string inflated(5000, '\0');
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  zs.next_in = reinterpret_cast<Bytef*>(res.body().data());
  zs.avail_in = static_cast<uInt>(res.body().size());
  zs.next_out = reinterpret_cast<Bytef*>(inflated.data());
  zs.avail_out = static_cast<uInt>(inflated.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  inflateEnd(&zs);
  EXPECT_EQ(inflated, std::string(5000, 'a'));
}

TEST(Compression, LeavesSmallBodiesAndRefusingClientsAlone) {
  request req{http::verb::get, "/", 11};
  req.set(http::field::accept_encoding, "gzip;q=0, deflate");
  response res{http::status::ok, 11};
  res.body() = std::string(5000, 'a');
  compress_response(res, req, http_compression_options{});
  EXPECT_EQ(res[http::field::content_encoding], "deflate");

  response small{http::status::ok, 11};
  small.body() = "tiny";
  compress_response(small, req, http_compression_options{});
  EXPECT_EQ(small.count(http::field::content_encoding), 0u);
}
