#pragma once
// HTTP long-polling (XHR, and JSONP when the client sent `j=`), as Node's engine.io Polling: a
// GET waits until there is something to send; a POST carries packets from the client.

#include <memory>
#include <optional>
#include <string>

#include "engineio/detail/pending_request.hpp"
#include "engineio/detail/timer.hpp"
#include "engineio/options.hpp"
#include "engineio/transport.hpp"

namespace engineio::detail {

class polling_transport final : public transport,
                                public std::enable_shared_from_this<polling_transport> {
 public:
  struct config {
    protocol_version protocol = protocol_version::v4;
    bool supports_binary = true;       // v3 only: false when the client asked for b64=1
    std::optional<std::string> jsonp;  // the JSONP callback index (digits of `j`)
    std::shared_ptr<const options> opts;
    asio::any_io_executor executor;  // the owning shard
    timer_factory timers;
  };

  explicit polling_transport(config cfg);

  /// A request for this session, on the session's shard.
  void on_request(pending_request req);
  /// A POST for this session, numbered `post`, whose body is still arriving (Node's dataReq);
  /// a second one meanwhile is an overlap that ends the session.
  void body_started(std::uint64_t post);
  /// That POST's body is done: read (`premature` false, whatever became of the request) or cut
  /// off with its connection, which ends the session as in Node.
  void body_ended(std::uint64_t post, bool premature);

  transport_kind kind() const noexcept override { return transport_kind::polling; }
  bool writable() const noexcept override { return poll_.has_value(); }
  void send(std::vector<outgoing> packets) override;
  void close() override;
  void discard() override { discarded_ = true; }

 private:
  void on_poll(pending_request req);
  void on_data(pending_request req);
  void on_poll_abandoned(unsigned long poll_id);
  void deliver(std::string_view body, bool binary_body);
  void report_closed();
  void on_client_close();
  response make_poll_response(const request& req, std::string body, bool binary);

  config cfg_;
  std::optional<pending_request> poll_;
  unsigned long poll_id_ = 0;
  std::uint64_t streaming_post_ = 0;    // the POST whose body is arriving; 0: none
  std::uint64_t overlapping_post_ = 0;  // one that began meanwhile
  bool discarded_ = false;
  bool should_close_ = false;
  bool closed_ = false;
  std::unique_ptr<timer> close_timeout_;
};

}  // namespace engineio::detail
