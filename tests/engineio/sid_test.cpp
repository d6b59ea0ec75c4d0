#include "engineio/sid.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace engineio;

TEST(Sid, IsTwentyUrlSafeCharactersAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto sid = generate_sid(0);
    ASSERT_EQ(sid.size(), 20u);
    EXPECT_EQ(
        sid.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_TRUE(seen.insert(sid).second);
  }
}

TEST(Sid, NamesItsShard) {
  for (unsigned shard = 0; shard < 4; ++shard) EXPECT_EQ(sid_shard(generate_sid(shard), 4), shard);
  EXPECT_FALSE(sid_shard(generate_sid(3), 2));
  EXPECT_FALSE(sid_shard("short", 2));
  EXPECT_FALSE(sid_shard("!aaaaaaaaaaaaaaaaaaa", 2));
}
