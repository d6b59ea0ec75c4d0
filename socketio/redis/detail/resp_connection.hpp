#pragma once
// One connection to Redis speaking RESP2: commands are formatted and replies parsed by hiredis
// (its reader and command formatter, not its event loop), the bytes move over Asio. Replies are
// matched to commands in order; in subscriber mode the pushed messages go to `on_push`.
//
// Runs on one executor; every member must be called there.

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace socketio::redis::detail {

/// A reply, copied out of hiredis's tree.
struct reply {
  enum class kind { string, array, integer, nil, status, error };
  kind type = kind::nil;
  std::string str;  // string, status and error
  long long integer = 0;
  std::vector<reply> elements;
};

class resp_connection : public std::enable_shared_from_this<resp_connection> {
 public:
  using reply_handler = std::function<void(const reply&)>;

  /// Holds at most `max_queued_bytes` of commands not yet written (see command()).
  resp_connection(const boost::asio::any_io_executor& executor,
                  std::function<void(const reply&)> on_push, std::function<void()> on_lost,
                  std::size_t max_queued_bytes);
  ~resp_connection();
  resp_connection(const resp_connection&) = delete;
  resp_connection& operator=(const resp_connection&) = delete;

  /// Connects; `done(false)` when it failed (on_lost is not called for that).
  void connect(const std::string& host, const std::string& port, std::function<void(bool)> done);
  /// Sends a command; `on_reply` gets its reply, or an error reply if the connection is lost.
  /// While connecting or while Redis reads slowly, commands that would take the queue past
  /// max_queued_bytes are dropped (logged once per overflow) and `on_reply` gets an error later.
  void command(const std::vector<std::string>& argv, reply_handler on_reply = {});
  /// Command bytes queued or being written.
  std::size_t queued_bytes() const noexcept { return outgoing_.size() + writing_.size(); }
  /// Closes without calling on_lost.
  void close();

 private:
  void read();
  void write();
  void fail();
  bool is_push(const reply& r) const;

  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  std::function<void(const reply&)> on_push_;
  std::function<void()> on_lost_;
  void* reader_;  // hiredis redisReader
  std::string read_buffer_;
  std::string outgoing_;
  std::string writing_;
  std::deque<reply_handler> waiting_;
  std::size_t max_queued_bytes_;
  bool dropping_ = false;  // over the limit since the queue last drained: logged already
  bool connected_ = false;
  bool closed_ = false;
};

}  // namespace socketio::redis::detail
