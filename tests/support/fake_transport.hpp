#pragma once
// An in-memory transport: records what the session sends as wire strings, and lets the test
// say when it is writable, as a parked GET or an idle WebSocket would.

#include <string>
#include <vector>

#include "engineio/session.hpp"
#include "engineio/transport.hpp"

namespace sio_test {

class fake_transport final : public engineio::transport {
 public:
  explicit fake_transport(engineio::transport_kind kind, bool writable = true)
      : kind_(kind), writable_(writable) {}

  engineio::transport_kind kind() const noexcept override { return kind_; }
  bool writable() const noexcept override { return writable_ && !closed; }
  void send(std::vector<engineio::outgoing> packets) override {
    for (auto& p : packets) sent.push_back(p.binary ? "<bin>" + *p.bytes : *p.bytes);
    // Like a poll answer: one batch, then not writable until the next request.
    if (kind_ == engineio::transport_kind::polling) writable_ = false;
  }
  void close() override {
    closed = true;
    if (!reports_close) return;  // as a polling transport waiting for the client's next GET
    if (auto s = session_.lock())
      s->transport_closed(*this, engineio::close_reason::transport_close);
  }
  void discard() override { discarded = true; }

  /// The client parks a new GET (polling) or a write completed (WebSocket).
  void make_writable() {
    writable_ = true;
    if (auto s = session_.lock()) s->transport_drained(*this);
  }
  /// The client sends one text packet.
  void receive(std::string_view text,
               engineio::protocol_version v = engineio::protocol_version::v4) {
    auto p = engineio::decode_text_packet(text, v);
    if (auto s = session_.lock())
      p ? s->receive(*this, *p) : s->fail(engineio::close_reason::parse_error);
  }

  std::vector<std::string> sent;
  bool reports_close = true;
  bool closed = false;
  bool discarded = false;

 private:
  engineio::transport_kind kind_;
  bool writable_;
};

}  // namespace sio_test
