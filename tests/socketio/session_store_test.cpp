// Connection state recovery bookkeeping, as Node's SessionAwareAdapter: offsets appended to stored
// events, and replay of what a session missed in its rooms.

#include "socketio/detail/session_store.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace socketio;
using namespace socketio::detail;
using namespace std::chrono_literals;

namespace {

array event(std::string name) {
  return array{std::move(name)};
}

}  // namespace

TEST(SessionStore, AppendsAnOffsetToEveryRecordedEvent) {
  session_store store(1min, {});
  auto a = event("a");
  auto b = event("b");
  store.record(a, {});
  store.record(b, {});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(a[1].is_string());
  EXPECT_NE(a[1], b[1]);
}

TEST(SessionStore, ReplaysWhatTheSessionMissedInItsRooms) {
  session_store store(1min, {});
  auto before = event("before");
  store.record(before, {});
  const auto offset = before.back().as_string();
  store.persist({"sid1", "pid1", {"sid1", "red"}, object{{"k", 1}}});

  auto everyone = event("everyone");
  auto red = event("red");
  auto blue = event("blue");
  auto not_red = event("not-red");
  store.record(everyone, {});
  store.record(red, {.rooms = {"red"}});
  store.record(blue, {.rooms = {"blue"}});
  store.record(not_red, {.except = {"red"}});

  auto restored = store.restore("pid1", offset);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->session.sid, "sid1");
  EXPECT_EQ(restored->session.data["k"].as_int(), 1);
  ASSERT_EQ(restored->missed.size(), 2u);
  EXPECT_EQ(restored->missed[0], value(everyone));
  EXPECT_EQ(restored->missed[1], value(red));
  // As Node's adapter, the session is kept until it expires: the same pid and offset recover again.
  EXPECT_TRUE(store.restore("pid1", offset));
}

TEST(SessionStore, UnknownPidOrOffsetIsNotRestored) {
  session_store store(1min, {});
  auto e = event("e");
  store.record(e, {});
  store.persist({"sid", "pid", {"sid"}, value()});
  EXPECT_FALSE(store.restore("other", e.back().as_string()));
  EXPECT_FALSE(store.restore("pid", "no-such-offset"));
}

TEST(SessionStore, ForgetsSessionsAndEventsOlderThanTheMaximumDuration) {
  session_store store(20ms, {});
  auto e = event("e");
  store.record(e, {});
  store.persist({"sid", "pid", {"sid"}, value()});
  std::this_thread::sleep_for(40ms);
  EXPECT_FALSE(store.restore("pid", e.back().as_string()));
}

// Pruning drops expired entries from the front of two queues in time order: with 100k persisted
// sessions, each emit looks at a few entries, not at every session (Node prunes on a timer).
TEST(SessionStore, PruningDoesNotScanEveryPersistedSession) {
  session_store store(1h, {});
  for (int i = 0; i < 100'000; ++i)
    store.persist({"sid" + std::to_string(i), "pid" + std::to_string(i), {}, value()});
  auto before = store.stats();
  EXPECT_EQ(before.sessions, 100'000u);
  for (int i = 0; i < 1000; ++i) {
    auto e = event("e");
    store.record(e, {});
  }
  EXPECT_LT(store.stats().prune_visits - before.prune_visits, 10'000u);
}

TEST(SessionStore, StoredEventBytesStayUnderTheLimitOldestFirst) {
  session_store store(1h, {.max_event_bytes = 10'000});
  auto first = event(std::string(100, 'x'));
  store.record(first, {});
  store.persist({"sid", "pid", {"sid"}, value()});
  std::string last_offset;
  for (int i = 0; i < 1000; ++i) {
    auto e = event(std::string(100, 'y'));
    store.record(e, {});
    last_offset = e.back().as_string();
  }
  auto stats = store.stats();
  EXPECT_LE(stats.event_bytes, 10'000u);
  EXPECT_GT(stats.events, 10u);
  EXPECT_LT(stats.events, 1000u);
  // The first offset is gone: that client gets a fresh session, as after expiry.
  EXPECT_FALSE(store.restore("pid", first.back().as_string()));
  EXPECT_TRUE(store.restore("pid", last_offset));
}

TEST(SessionStore, PersistedSessionsPastTheLimitDropTheOldest) {
  session_store store(1h, {.max_sessions = 3});
  auto e = event("e");
  store.record(e, {});
  for (int i = 0; i < 5; ++i)
    store.persist({"sid" + std::to_string(i), "pid" + std::to_string(i), {}, value()});
  // Persisting a pid again refreshes it rather than adding a second entry.
  store.persist({"sid2", "pid2", {}, value()});
  EXPECT_EQ(store.stats().sessions, 3u);
  const auto offset = e.back().as_string();
  EXPECT_FALSE(store.restore("pid0", offset));
  EXPECT_FALSE(store.restore("pid1", offset));
  EXPECT_TRUE(store.restore("pid2", offset));
  EXPECT_TRUE(store.restore("pid3", offset));
  EXPECT_TRUE(store.restore("pid4", offset));
}
