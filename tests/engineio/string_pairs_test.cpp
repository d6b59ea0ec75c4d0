// engineio::string_pairs: pairs in order, empty names and values, repeated names.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engineio/string_pairs.hpp"

namespace {

using engineio::string_pairs;

TEST(StringPairs, KeepsPairsInOrderIncludingEmptyOnes) {
  string_pairs p;
  p.reserve(4, 16);
  p.emplace_back("host", "example.org");
  p.emplace_back("", "no-name");
  p.emplace_back("empty", "");
  p.emplace_back("", "");
  ASSERT_EQ(p.size(), 4U);
  std::vector<std::string> seen;
  for (auto [name, value] : p) seen.push_back(std::string(name) + "=" + std::string(value));
  EXPECT_EQ(seen, (std::vector<std::string>{"host=example.org", "=no-name", "empty=", "="}));
}

TEST(StringPairs, FindsTheFirstOrTheLastOfARepeatedName) {
  string_pairs p{{"a", "1"}, {"b", "2"}, {"a", "3"}};
  EXPECT_EQ(p.first("a"), "1");
  EXPECT_EQ(p.last("a"), "3");
  EXPECT_EQ(p.first("b"), p.last("b"));
  EXPECT_FALSE(p.first("c").has_value());
  EXPECT_FALSE(string_pairs{}.last("a").has_value());
}

TEST(StringPairs, ValuesMayHoldAnyBytes) {
  std::string bytes("\0\xff=&", 4);
  string_pairs p;
  p.emplace_back(bytes, bytes);
  EXPECT_EQ(p[0].first, bytes);
  EXPECT_EQ(p[0].second, bytes);
}

}  // namespace
