#include "socketio/value.hpp"

#include <gtest/gtest.h>

#include "socketio/detail/json.hpp"

using namespace socketio;

TEST(Value, BuildsAndReads) {
  value v = object{{"name", "bob"}, {"tags", array{"a", 1, true, nullptr}}, {"pi", 3.25}};
  EXPECT_EQ(v["name"].as_string(), "bob");
  EXPECT_EQ(v["tags"].size(), 4u);
  EXPECT_TRUE(v["tags"][3].is_null());
  EXPECT_TRUE(v["missing"]["deeper"][7].is_null());
  EXPECT_DOUBLE_EQ(v["pi"].as_double(), 3.25);
  EXPECT_EQ(v.to_json(), R"({"name":"bob","tags":["a",1,true,null],"pi":3.25})");
  EXPECT_EQ(value(binary{"\x01\x02"}).to_json(), R"({"type":"Buffer","data":[1,2]})");
}

TEST(Json, ParsesWhatJavaScriptWrites) {
  auto v = detail::parse_json(
      R"({"a":[1,-2,3.5,1e3,"é\u00e9\n"],"b":{"c":null},"big":18446744073709551615})");
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["a"][0].as_int(), 1);
  EXPECT_EQ((*v)["a"][3].as_double(), 1000.0);
  EXPECT_EQ((*v)["a"][4].as_string(), "éé\n");
  EXPECT_TRUE((*v)["b"]["c"].is_null());
  EXPECT_TRUE((*v)["big"].is_number());
  EXPECT_FALSE(detail::parse_json("[1,]"));
  EXPECT_FALSE(detail::parse_json("[1] x"));
  EXPECT_FALSE(detail::parse_json(""));
}

TEST(Json, DepthLimitIsEnforcedWithoutRecursion) {
  std::string at_limit =
      std::string(detail::max_json_depth, '[') + std::string(detail::max_json_depth, ']');
  EXPECT_TRUE(detail::parse_json(at_limit));
  std::string over =
      std::string(detail::max_json_depth + 1, '[') + std::string(detail::max_json_depth + 1, ']');
  EXPECT_FALSE(detail::parse_json(over));
  std::string hostile(1'000'000, '{');
  EXPECT_FALSE(detail::parse_json(hostile));
}
