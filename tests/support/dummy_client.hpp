#pragma once
// A Socket.IO client inside the test process, driven in wire strings (as socketioxide's dummy
// socket): an Engine.IO session over an in-memory transport on a real server's shard, so
// Socket.IO cases need neither sockets nor Node.
//
//   sio_test::dummy_client c(io);
//   c.send("40");
//   EXPECT_EQ(c.next()->substr(0, 2), "40");

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "engineio/packet.hpp"
#include "engineio/session.hpp"
#include "engineio/transport.hpp"
#include "socketio/server.hpp"

namespace sio_test {

class dummy_client {
 public:
  explicit dummy_client(sio::server& io,
                        engineio::protocol_version v = engineio::protocol_version::v4,
                        unsigned shard = 0)
      : io_(io), shard_(shard), version_(v), link_(std::make_shared<link>()) {
    io.engine().open_session(link_, {}, v, shard);
    auto open = next_frame();
    if (!open || open->front() != '0') throw std::runtime_error("dummy_client: no open packet");
  }
  ~dummy_client() { close(); }
  dummy_client(const dummy_client&) = delete;
  dummy_client& operator=(const dummy_client&) = delete;

  /// Sends one text frame: a Socket.IO packet in its Engine.IO message ("40", "42[\"e\",1]").
  void send(std::string_view frame) { deliver(std::string(frame), false); }
  /// Sends one binary attachment.
  void send_binary(std::string_view bytes) { deliver(std::string(bytes), true); }

  /// The next frame the server sent ("<bin>" before an attachment's bytes); pings are answered
  /// and skipped. nullopt when none came within `wait`, or the session closed.
  std::optional<std::string> next(std::chrono::milliseconds wait = std::chrono::seconds(2)) {
    for (;;) {
      auto frame = next_frame(wait);
      if (!frame) return std::nullopt;
      if (*frame != "2") return frame;
      deliver("3", false);
    }
  }

  /// Whether the server closed the session within `wait`.
  bool closed(std::chrono::milliseconds wait = std::chrono::seconds(2)) {
    std::unique_lock lock(link_->mutex);
    return link_->changed.wait_for(lock, wait, [&] { return link_->closed; });
  }

  /// The client goes away (a transport close).
  void close() {
    io_.engine().post(shard_, [l = link_] {
      if (auto s = l->owner()) s->transport_closed(*l, engineio::close_reason::transport_close);
    });
  }

 private:
  // The transport: what the session sends lands in `frames`; it is always writable.
  struct link final : engineio::transport {
    engineio::transport_kind kind() const noexcept override {
      return engineio::transport_kind::websocket;
    }
    bool writable() const noexcept override { return true; }
    void send(std::vector<engineio::outgoing> packets) override {
      std::lock_guard lock(mutex);
      for (auto& p : packets) frames.push_back(p.binary ? "<bin>" + *p.bytes : *p.bytes);
      changed.notify_all();
    }
    void close() override {
      {
        std::lock_guard lock(mutex);
        closed = true;
        changed.notify_all();
      }
      if (auto s = owner()) s->transport_closed(*this, engineio::close_reason::forced_close);
    }
    std::shared_ptr<engineio::session> owner() { return session_.lock(); }

    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::string> frames;
    bool closed = false;
  };

  std::optional<std::string> next_frame(std::chrono::milliseconds wait = std::chrono::seconds(2)) {
    std::unique_lock lock(link_->mutex);
    link_->changed.wait_for(lock, wait, [&] { return !link_->frames.empty() || link_->closed; });
    if (link_->frames.empty()) return std::nullopt;
    auto frame = std::move(link_->frames.front());
    link_->frames.pop_front();
    return frame;
  }

  // Decoded and handed to the session on its shard, as a WebSocket frame would be.
  void deliver(std::string frame, bool binary) {
    io_.engine().post(shard_, [l = link_, frame = std::move(frame), binary, v = version_] {
      auto s = l->owner();
      if (!s) return;
      auto p =
          binary ? engineio::decode_binary_frame(frame, v) : engineio::decode_text_packet(frame, v);
      p ? s->receive(*l, *p) : s->fail(engineio::close_reason::parse_error);
    });
  }

  sio::server& io_;
  unsigned shard_;
  engineio::protocol_version version_;
  std::shared_ptr<link> link_;
};

}  // namespace sio_test
