// Node's broadcast filter: union of rooms, each member once, minus the except rooms.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "socketio/adapter.hpp"

using namespace socketio;

namespace {

// Keeps its own rooms, as a socket does, and updates them in the order the index expects.
struct member {
  std::string name;
  std::set<room> joined;
  const std::string& id() const { return name; }
  const std::set<room>& rooms() const { return joined; }

  void join(basic_room_index<member>& index, const std::vector<room>& rs) {
    joined.insert(rs.begin(), rs.end());
    index.add_all(*this, rs);
  }
  void leave(basic_room_index<member>& index, const room& r) {
    joined.erase(r);
    index.del(*this, r);
  }
  void leave_all(basic_room_index<member>& index) {
    index.del_all(*this);
    joined.clear();
  }
};

std::set<std::string> targets(const basic_room_index<member>& index,
                              const broadcast_options& opts) {
  std::set<std::string> out;
  index.for_each(opts,
                 [&](member& m) { EXPECT_TRUE(out.insert(m.id()).second) << "twice: " << m.id(); });
  return out;
}

class RoomIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    a.join(index, {"a", "lobby", "red"});
    b.join(index, {"b", "lobby", "blue"});
    c.join(index, {"c", "red", "blue"});
  }
  member a{"a", {}}, b{"b", {}}, c{"c", {}};
  basic_room_index<member> index;
};

}  // namespace

TEST_F(RoomIndex, NoRoomsMeansEveryone) {
  EXPECT_EQ(targets(index, {}), (std::set<std::string>{"a", "b", "c"}));
}

TEST_F(RoomIndex, UnionOfRoomsWithoutDuplicates) {
  EXPECT_EQ(targets(index, {.rooms = {"red", "blue"}}), (std::set<std::string>{"a", "b", "c"}));
  EXPECT_EQ(targets(index, {.rooms = {"lobby"}}), (std::set<std::string>{"a", "b"}));
}

TEST_F(RoomIndex, ExceptRemovesMembersOfAnyExceptRoom) {
  EXPECT_EQ(targets(index, {.rooms = {"red", "blue"}, .except = {"lobby"}}),
            (std::set<std::string>{"c"}));
  // socket.to(room) from a: its own id room is excepted.
  EXPECT_EQ(targets(index, {.rooms = {"red"}, .except = {"a"}}), (std::set<std::string>{"c"}));
  EXPECT_EQ(targets(index, {.except = {"blue"}}), (std::set<std::string>{"a"}));
}

TEST_F(RoomIndex, LeavingRoomsAndDisconnecting) {
  a.leave(index, "red");
  EXPECT_EQ(targets(index, {.rooms = {"red"}}), (std::set<std::string>{"c"}));
  // An except room a has left no longer excludes it.
  EXPECT_EQ(targets(index, {.rooms = {"lobby"}, .except = {"red"}}),
            (std::set<std::string>{"a", "b"}));
  c.leave_all(index);
  EXPECT_TRUE(targets(index, {.rooms = {"red"}}).empty());
  std::set<room> rooms;
  index.collect_rooms(rooms);
  EXPECT_EQ(rooms, (std::set<room>{"a", "b", "lobby", "blue"}));
}

TEST_F(RoomIndex, LookupsByIdAndByRoom) {
  std::vector<std::string> ids;
  index.collect_ids(ids);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), (std::set<std::string>{"a", "b", "c"}));
  std::set<std::string> red;
  index.collect_members("red", red);
  EXPECT_EQ(red, (std::set<std::string>{"a", "c"}));
  std::map<room, std::set<std::string>> all;
  index.collect_members(all);
  EXPECT_EQ(all.size(), 6u);
  EXPECT_EQ(all["lobby"], (std::set<std::string>{"a", "b"}));
  std::set<room> rooms_of_b;
  EXPECT_TRUE(index.find("b", [&](const member& m) { rooms_of_b = m.rooms(); }));
  EXPECT_EQ(rooms_of_b, (std::set<room>{"b", "lobby", "blue"}));
  c.leave_all(index);
  EXPECT_FALSE(index.find("c", [](const member&) { FAIL() << "c has left"; }));
}

// Two connections may recover the same session: each member leaves the index on its own.
TEST(RoomIndexSameId, MembersSharingAnIdComeAndGoSeparately) {
  basic_room_index<member> index;
  member first{"x", {}}, second{"x", {}};
  first.join(index, {"x", "lobby"});
  second.join(index, {"x", "lobby"});
  std::size_t reached = 0;
  index.for_each({.rooms = {"lobby"}}, [&](member&) { ++reached; });
  EXPECT_EQ(reached, 2u);
  second.leave_all(index);
  EXPECT_TRUE(index.find("x", [&](const member& m) { EXPECT_EQ(&m, &first); }));
  reached = 0;
  index.for_each({}, [&](member&) { ++reached; });
  EXPECT_EQ(reached, 1u);
  first.leave_all(index);
  EXPECT_FALSE(index.find("x", [](const member&) {}));
  std::set<room> rooms;
  index.collect_rooms(rooms);
  EXPECT_TRUE(rooms.empty());
}
