#include "socketio/redis/detail/resp_connection.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "engineio/log.hpp"

namespace socketio::redis::detail {
namespace {

redisReader* as_reader(void* p) {
  return static_cast<redisReader*>(p);
}

// hiredis 0.14 allocates an array's element table as soon as the array's header arrives: a reply
// header of "*2147483647" from a rogue Redis would take 16 GiB at once. Arrays larger than any
// reply the adapters expect are refused, which fails the reader as an allocation failure does
// (the connection is dropped and made again).
constexpr int max_reply_elements = 1 << 20;

redisReplyObjectFunctions bounded(const redisReplyObjectFunctions& defaults) {
  static const auto create_array = defaults.createArray;
  auto functions = defaults;
  functions.createArray = [](const redisReadTask* task, int elements) -> void* {
    return elements > max_reply_elements ? nullptr : create_array(task, elements);
  };
  return functions;
}

redisReader* make_reader() {
  redisReader* r = redisReaderCreate();
  static redisReplyObjectFunctions functions = bounded(*r->fn);
  r->fn = &functions;
  return r;
}

reply copy_reply(const redisReply& r) {
  reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = reply::kind::string;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = reply::kind::status;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = reply::kind::error;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = reply::kind::integer;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = reply::kind::array;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i)
        out.elements.push_back(copy_reply(*r.element[i]));
      break;
    default:
      out.type = reply::kind::nil;
  }
  return out;
}

reply error_reply(std::string message) {
  reply r;
  r.type = reply::kind::error;
  r.str = std::move(message);
  return r;
}

reply lost_reply() {
  return error_reply("connection lost");
}

}  // namespace

resp_connection::resp_connection(const boost::asio::any_io_executor& executor,
                                 std::function<void(const reply&)> on_push,
                                 std::function<void()> on_lost, std::size_t max_queued_bytes)
    : resolver_(executor),
      socket_(executor),
      on_push_(std::move(on_push)),
      on_lost_(std::move(on_lost)),
      reader_(make_reader()),
      max_queued_bytes_(max_queued_bytes) {}

resp_connection::~resp_connection() {
  redisReaderFree(as_reader(reader_));
}

void resp_connection::connect(const std::string& host, const std::string& port,
                              std::function<void(bool)> done) {
  resolver_.async_resolve(
      host, port,
      [self = shared_from_this(), done = std::move(done)](
          boost::system::error_code ec, const boost::asio::ip::tcp::resolver::results_type& found) {
        if (ec || self->closed_) return done(false);
        boost::asio::async_connect(
            self->socket_, found,
            [self, done](boost::system::error_code ec, const boost::asio::ip::tcp::endpoint&) {
              if (ec || self->closed_) return done(false);
              self->socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);
              self->connected_ = true;
              self->read();
              self->write();  // commands queued while connecting
              done(true);
            });
      });
}

void resp_connection::command(const std::vector<std::string>& argv, reply_handler on_reply) {
  if (closed_) {
    if (on_reply) on_reply(lost_reply());
    return;
  }
  std::vector<const char*> parts;
  std::vector<std::size_t> lengths;
  parts.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& a : argv) {
    parts.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* formatted = nullptr;
  int n = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), parts.data(),
                                 lengths.data());
  if (n < 0) {
    if (on_reply) on_reply(lost_reply());
    return;
  }
  // Broadcasts become commands, so clients drive this queue: keep it bounded while Redis is
  // unreachable or slow. The error reply is posted: the caller may be iterating over what the
  // reply handler changes.
  if (queued_bytes() + static_cast<std::size_t>(n) > max_queued_bytes_) {
    redisFreeCommand(formatted);
    if (!dropping_) {
      engineio::log_warning("redis: over {} bytes of commands queued; dropping commands",
                            max_queued_bytes_);
    }
    dropping_ = true;
    if (on_reply) {
      boost::asio::post(socket_.get_executor(), [on_reply = std::move(on_reply)] {
        on_reply(error_reply("send queue full"));
      });
    }
    return;
  }
  outgoing_.append(formatted, static_cast<std::size_t>(n));
  redisFreeCommand(formatted);
  waiting_.push_back(std::move(on_reply));
  if (connected_) write();
}

void resp_connection::write() {
  if (!writing_.empty() || outgoing_.empty()) return;
  writing_.swap(outgoing_);
  boost::asio::async_write(socket_, boost::asio::buffer(writing_),
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                             self->writing_.clear();
                             if (ec) return self->fail();
                             if (self->outgoing_.empty()) self->dropping_ = false;
                             self->write();
                           });
}

void resp_connection::read() {
  read_buffer_.resize(std::size_t{16} * 1024);
  socket_.async_read_some(boost::asio::buffer(read_buffer_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (ec) return self->fail();
                            auto* r = as_reader(self->reader_);
                            if (redisReaderFeed(r, self->read_buffer_.data(), n) != REDIS_OK)
                              return self->fail();
                            void* raw = nullptr;
                            while (true) {
                              if (redisReaderGetReply(r, &raw) != REDIS_OK) return self->fail();
                              if (!raw) break;
                              auto copied = copy_reply(*static_cast<redisReply*>(raw));
                              freeReplyObject(raw);
                              if (self->is_push(copied)) {
                                self->on_push_(copied);
                              } else if (!self->waiting_.empty()) {
                                auto handler = std::move(self->waiting_.front());
                                self->waiting_.pop_front();
                                if (handler) handler(copied);
                              }
                              if (self->closed_) return;
                            }
                            self->read();
                          });
}

// In subscriber mode Redis pushes messages between the replies to our (un)subscribe commands.
bool resp_connection::is_push(const reply& r) const {
  if (!on_push_ || r.type != reply::kind::array || r.elements.empty()) return false;
  const auto& head = r.elements[0].str;
  return head == "message" || head == "pmessage" || head == "smessage";
}

void resp_connection::fail() {
  if (closed_) return;
  close();
  if (on_lost_) on_lost_();
}

void resp_connection::close() {
  if (closed_) return;
  closed_ = true;
  connected_ = false;
  boost::system::error_code ignored;
  resolver_.cancel();
  socket_.close(ignored);
  auto waiting = std::move(waiting_);
  for (auto& handler : waiting) {
    if (handler) handler(lost_reply());
  }
}

}  // namespace socketio::redis::detail
