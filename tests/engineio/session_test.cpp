// The session state machine with a fake transport and a manual clock: no sockets, no waiting.

#include "engineio/session.hpp"

#include <gtest/gtest.h>

#include "support/fake_transport.hpp"
#include "support/manual_clock.hpp"

using namespace engineio;
using namespace std::chrono_literals;
using sio_test::fake_transport;

namespace {

struct recording_handler : handler {
  void on_open(session&) override { events.emplace_back("open"); }
  void on_message(session&, std::string_view text) override {
    events.emplace_back("message:" + std::string(text));
  }
  void on_binary(session&, std::string_view bytes) override {
    events.emplace_back("binary:" + std::string(bytes));
  }
  void on_close(session&, close_reason reason) override {
    events.emplace_back("close:" + std::string(to_string(reason)));
  }
  std::vector<std::string> events;
};

class SessionTest : public ::testing::Test {
 protected:
  std::shared_ptr<session> make(protocol_version v, options o = {}) {
    o.ping_interval = 300ms;
    o.ping_timeout = 200ms;
    session::config cfg;
    cfg.id = "AAAAAAAAAAAAAAAAAAAA";
    cfg.protocol = v;
    cfg.opts = std::make_shared<const options>(std::move(o));
    cfg.events = &events;
    cfg.timers = clock.factory();
    cfg.on_closed = [this](session&) { ++closed_callbacks; };
    return std::make_shared<session>(std::move(cfg));
  }

  recording_handler events;
  sio_test::manual_clock clock;
  int closed_callbacks = 0;
};

}  // namespace

TEST_F(SessionTest, OpenPacketAdvertisesUpgradeOnPollingOnly) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  make(protocol_version::v4)->start(polling);
  ASSERT_EQ(polling->sent.size(), 1u);
  EXPECT_EQ(
      polling->sent[0],
      R"(0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");

  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  make(protocol_version::v4)->start(ws);
  EXPECT_EQ(
      ws->sent[0],
      R"(0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
}

TEST_F(SessionTest, InitialPacketFollowsTheOpenPacket) {
  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  options o;
  o.initial_packet = "welcome";
  make(protocol_version::v4, o)->start(ws);
  ASSERT_EQ(ws->sent.size(), 2u);
  EXPECT_EQ(ws->sent[1], "4welcome");
}

TEST_F(SessionTest, V4ServerPingsAndClosesWithoutPong) {
  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  auto s = make(protocol_version::v4);
  s->start(ws);
  clock.advance(299ms);
  EXPECT_EQ(ws->sent.size(), 1u);
  clock.advance(1ms);
  EXPECT_EQ(ws->sent.back(), "2");
  ws->receive("3");  // pong: the next ping comes one interval later
  clock.advance(300ms);
  EXPECT_EQ(ws->sent.size(), 3u);
  clock.advance(199ms);
  EXPECT_EQ(s->ready_state(), session::state::open);
  clock.advance(1ms);
  EXPECT_EQ(s->ready_state(), session::state::closed);
  EXPECT_EQ(events.events.back(), "close:ping timeout");
  EXPECT_EQ(closed_callbacks, 1);
}

TEST_F(SessionTest, V3ClientPingsAndSilenceClosesAfterIntervalPlusTimeout) {
  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  auto s = make(protocol_version::v3);
  s->start(ws);
  clock.advance(400ms);
  ws->receive("2", protocol_version::v3);
  EXPECT_EQ(ws->sent.back(), "3");
  clock.advance(499ms);
  EXPECT_EQ(s->ready_state(), session::state::open);
  clock.advance(1ms);
  EXPECT_EQ(events.events.back(), "close:ping timeout");
}

TEST_F(SessionTest, HeartbeatInTheWrongDirectionIsATransportError) {
  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  auto v4 = make(protocol_version::v4);
  v4->start(ws);
  ws->receive("2");
  EXPECT_EQ(events.events.back(), "close:transport error");

  auto ws3 = std::make_shared<fake_transport>(transport_kind::websocket);
  auto v3 = make(protocol_version::v3);
  v3->start(ws3);
  ws3->receive("3", protocol_version::v3);
  EXPECT_EQ(events.events.back(), "close:transport error");
}

TEST_F(SessionTest, DeliversTextAndDecodedBase64Binary) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  auto s = make(protocol_version::v4);
  s->start(polling);
  polling->receive("4hello");
  polling->receive("bAQID");
  EXPECT_EQ(events.events[1], "message:hello");
  EXPECT_EQ(events.events[2], std::string("binary:\x01\x02\x03"));
  polling->receive("b!!!");
  EXPECT_EQ(events.events.back(), "close:parse error");
}

TEST_F(SessionTest, QueuesWhileThePollIsAnsweredAndFlushesOnTheNextOne) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  auto s = make(protocol_version::v4);
  s->start(polling);  // the handshake GET takes the open packet
  s->send_text("a");
  s->send_binary("b");
  EXPECT_EQ(polling->sent.size(), 1u);
  polling->make_writable();
  EXPECT_EQ(polling->sent, (std::vector<std::string>{polling->sent[0], "4a", "<bin>b"}));
}

TEST_F(SessionTest, ClientThatNeverReadsIsClosedOncePastTheBufferLimit) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  options o;
  o.max_buffered_bytes = 1000;
  auto s = make(protocol_version::v4, o);
  s->start(polling);
  for (int i = 0; i < 9; ++i) s->send_text(std::string(100, 'x'));
  EXPECT_EQ(s->ready_state(), session::state::open);
  s->send_text(std::string(200, 'x'));
  // Not inside send: the caller may be walking the sockets this close removes.
  EXPECT_EQ(s->ready_state(), session::state::open);
  EXPECT_EQ(closed_callbacks, 0);
  clock.advance(0ms);
  EXPECT_EQ(s->ready_state(), session::state::closed);
  EXPECT_EQ(events.events.back(), "close:transport error");
}

TEST_F(SessionTest, AnOverflowingClientIsClosedEvenIfItKeepsSendingPongs) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  options o;
  o.max_buffered_bytes = 1000;
  auto s = make(protocol_version::v4, o);
  s->start(polling);
  s->send_text(std::string(2000, 'x'));
  polling->receive("3");  // a pong re-arms the heartbeat timer, which carries the close
  s->send_text("dropped");
  clock.advance(0ms);
  EXPECT_EQ(s->ready_state(), session::state::closed);
  EXPECT_EQ(events.events.back(), "close:transport error");
  polling->make_writable();
  EXPECT_EQ(polling->sent.size(), 1u);  // the open packet only: nothing queued went out
}

TEST_F(SessionTest, ServerCloseFlushesQueueThenClosesWithForcedClose) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  auto s = make(protocol_version::v4);
  s->start(polling);
  s->send_text("last words");
  s->close();
  EXPECT_FALSE(polling->closed);
  polling->make_writable();
  EXPECT_EQ(polling->sent.back(), "4last words");
  EXPECT_TRUE(polling->closed);
  EXPECT_EQ(events.events.back(), "close:forced close");
}

TEST_F(SessionTest, UpgradeProbeNoopAndSwitch) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  auto s = make(protocol_version::v4);
  s->start(polling);
  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  s->begin_upgrade(ws);
  EXPECT_TRUE(s->upgrading());
  ws->receive("2probe");
  EXPECT_EQ(ws->sent, std::vector<std::string>{"3probe"});
  polling->make_writable();  // the client's GET comes: answered at once with a noop
  EXPECT_EQ(polling->sent.back(), "6");
  s->send_text("during");
  ws->receive("5");
  EXPECT_TRUE(s->upgraded());
  EXPECT_EQ(s->transport_name(), transport_kind::websocket);
  EXPECT_TRUE(polling->discarded);
  EXPECT_EQ(ws->sent.back(), "4during");
  EXPECT_EQ(s->ready_state(), session::state::open);
}

// Closed while the client probes: the polling transport is told to close, the upgrade then
// completes, and the WebSocket that took over must be closed too (it stayed open before).
TEST_F(SessionTest, CloseDuringAnUpgradeClosesTheNewTransport) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  polling->reports_close = false;
  auto s = make(protocol_version::v4);
  s->start(polling);
  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  s->begin_upgrade(ws);
  ws->receive("2probe");
  s->close();
  EXPECT_TRUE(polling->closed);
  ws->receive("5");
  EXPECT_TRUE(ws->closed);
  EXPECT_EQ(events.events.back(), "close:forced close");
}

TEST_F(SessionTest, UpgradeThatNeverCompletesIsDroppedAfterUpgradeTimeout) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  options o;
  o.upgrade_timeout = 1000ms;
  auto s = make(protocol_version::v4, o);
  s->start(polling);
  polling->make_writable();
  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  s->begin_upgrade(ws);
  ws->receive("2probe");
  for (int i = 0; i < 10; ++i) {  // keep the session alive with pongs meanwhile
    clock.advance(100ms);
    polling->make_writable();
  }
  EXPECT_TRUE(ws->closed);
  EXPECT_FALSE(s->upgrading());
  EXPECT_EQ(s->transport_name(), transport_kind::polling);
}

TEST_F(SessionTest, ClosePacketFromClientIsTransportClose) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  auto s = make(protocol_version::v4);
  s->start(polling);
  polling->receive("1");
  EXPECT_EQ(events.events.back(), "close:transport close");
}

// Node's socket.conn events, in Node's order: packet before its effect, packetCreate per packet,
// flush then drain around each hand-over to the transport, heartbeat on the client's proof of
// life, upgrading once the probe is answered.
TEST_F(SessionTest, ConnListenersSeeWhatNodeEmits) {
  auto polling = std::make_shared<fake_transport>(transport_kind::polling);
  auto s = make(protocol_version::v4);
  s->start(polling);
  std::vector<std::string> log;
  s->on_packet([&](const packet& p) {
    log.push_back("packet:" + std::string(1, static_cast<char>(p.type)));
  });
  s->on_packet_create([&](const outgoing& o) { log.push_back("create:" + *o.bytes); });
  s->on_flush(
      [&](const std::vector<outgoing>& q) { log.push_back("flush:" + std::to_string(q.size())); });
  s->on_drain([&] { log.emplace_back("drain"); });
  s->on_heartbeat([&] { log.emplace_back("heartbeat"); });
  s->on_upgrading([&] { log.emplace_back("upgrading"); });

  s->send_text("a");  // the poll was answered by the open packet: this one waits
  s->send_text("b");
  polling->make_writable();
  EXPECT_EQ(log, (std::vector<std::string>{"create:4a", "create:4b", "flush:2", "drain"}));
  log.clear();

  clock.advance(300ms);  // the ping waits for a GET
  polling->make_writable();
  polling->receive("3");
  EXPECT_EQ(log,
            (std::vector<std::string>{"create:2", "flush:1", "drain", "packet:3", "heartbeat"}));
  log.clear();

  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  s->begin_upgrade(ws);
  ws->receive("2probe");  // the probe is the new transport's business: no packet event
  ws->receive("5");
  EXPECT_EQ(log, std::vector<std::string>{"upgrading"});
}

TEST_F(SessionTest, ConnListenersMayThrowSendOrClose) {
  auto ws = std::make_shared<fake_transport>(transport_kind::websocket);
  auto s = make(protocol_version::v4);
  s->start(ws);
  int flushes = 0;
  s->on_packet([](const packet&) { throw std::runtime_error("listener bug"); });
  s->on_flush([&](const std::vector<outgoing>&) {
    if (++flushes == 1) s->send_text("from flush");  // flushes again from inside
  });
  ws->receive("4hello");
  EXPECT_EQ(events.events.back(), "message:hello");  // the throw was logged, the packet went on
  s->send_text("first");
  EXPECT_EQ(ws->sent, (std::vector<std::string>{ws->sent[0], "4first", "4from flush"}));

  s->on_packet([&](const packet&) { s->close(); });
  ws->receive("4ignored");  // closed by the listener: the message is not delivered
  EXPECT_NE(events.events.back(), "message:ignored");
}
