// The MessagePack reader on hostile input: every read stays inside the bytes it was given. Each
// input is placed right before an unreadable page, so a read past its end is a crash, not luck.

#include "socketio/detail/msgpack.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "socketio/parser.hpp"

using namespace socketio;
using namespace std::string_literals;

namespace {

// Bytes that end where a PROT_NONE page begins.
class guarded {
 public:
  explicit guarded(std::string_view bytes) {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    size_ = (bytes.size() / page_ + 2) * page_;
    base_ = static_cast<char*>(
        mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT_NE(base_, MAP_FAILED);
    char* guard = base_ + size_ - page_;
    EXPECT_EQ(mprotect(guard, page_, PROT_NONE), 0);
    view_ = std::string_view(guard - bytes.size(), bytes.size());
    std::memcpy(guard - bytes.size(), bytes.data(), bytes.size());
  }
  ~guarded() { munmap(base_, size_); }
  guarded(const guarded&) = delete;
  guarded& operator=(const guarded&) = delete;

  std::string_view view() const { return view_; }

 private:
  std::size_t page_ = 0;
  std::size_t size_ = 0;
  char* base_ = nullptr;
  std::string_view view_;
};

bool parses(std::string_view bytes) {
  guarded g(bytes);
  return detail::parse_msgpack(g.view()).has_value();
}

}  // namespace

// msgpuck's mp_check counts pending items in an int: array32/map32 counts of 2^31 and more wrap
// it and the check passes on a value that is not there.
TEST(MsgpackReader, RefusesCountsLargerThanTheInput) {
  // {type: 2, nsp: "/", data: [[<2^32-1 items>]]}: the 24-byte packet of the review.
  const auto packet =
      "\x83\xa4type\x02\xa3nsp\xa1/\xa4"
      "data\x91\xdd\xff\xff\xff\xff"s;
  ASSERT_EQ(packet.size(), 24u);
  EXPECT_FALSE(parses(packet));
  EXPECT_FALSE(parses("\xdf\x80\x00\x00\x00"s));  // map32 of 2^31 members
  EXPECT_FALSE(parses("\xdd\x80\x00\x00\x00"s));  // array32 of 2^31 items
  EXPECT_FALSE(parses("\x93\xc0\xc0"s));          // three items, two present
  EXPECT_FALSE(parses("\x81\xa1k"s));             // a key without its value

  guarded g(packet);
  decoder d(parser_kind::msgpack);
  EXPECT_EQ(d.add_binary(g.view()), decoder::status::error);
  EXPECT_EQ(d.error(), "invalid packet format");
}

TEST(MsgpackReader, RefusesLengthsLargerThanTheInput) {
  EXPECT_FALSE(parses("\xdb\xff\xff\xff\xff"s));          // str32 of 4 GiB
  EXPECT_FALSE(parses("\xdb\x7f\xff\xff\xff" + "ab"s));   // str32 of 2 GiB, two bytes there
  EXPECT_FALSE(parses("\xc6\xff\xff\xff\xff\x00"s));      // bin32
  EXPECT_FALSE(parses("\xc9\xff\xff\xff\xff\x00\x00"s));  // ext32
  EXPECT_FALSE(parses("\x81\xdb\x00\x00\x01\x00"s));      // str32 key of 256 bytes
}

TEST(MsgpackReader, RefusesEveryTruncation) {
  const auto whole =
      "\x85\xa4type\x02\xa3nsp\xa1/\xa4"
      "data\x94\xa2"
      "ev\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00\xc4\x02xy\xd4\x00\x00\xa2id\xce"
      "\x00\x01\x00\x00\xa1x\xc7\x01\x00z"s;
  ASSERT_TRUE(parses(whole));
  for (std::size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(parses(std::string_view(whole).substr(0, n))) << n;
  }
}

TEST(MsgpackReader, KeepsTheDepthLimit) {
  EXPECT_TRUE(parses(std::string(100, '\x91') + "\xc0"));
  EXPECT_FALSE(parses(std::string(100000, '\x91') + "\xc0"));
}
