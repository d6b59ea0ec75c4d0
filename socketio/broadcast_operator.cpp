#include "socketio/broadcast_operator.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mutex>

#include "socketio/client.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"

namespace socketio {
namespace {

std::shared_ptr<const encoded_packet> encode_event(namespace_& nsp, std::string_view event,
                                                   args values,
                                                   std::optional<std::uint64_t> id = std::nullopt) {
  values.insert(values.begin(), value(event));
  packet p{packet_type::event, nsp.name(), id, value(array(std::move(values)))};
  return std::make_shared<const encoded_packet>(encode(p, nsp.owner().options().parser));
}

// Gathers the acks of a broadcast from every shard; the callback runs once, on the shard (or
// thread) that started it, when all recipients answered or the timeout fired.
class ack_gather : public std::enable_shared_from_this<ack_gather> {
 public:
  ack_gather(ack_callback cb, unsigned shards, boost::asio::any_io_executor home)
      : cb_(std::move(cb)), shards_left_(shards), home_(std::move(home)), timer_(home_) {}

  void arm(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->finish("operation has timed out");
    });
  }
  void add_recipients(std::size_t n) {
    std::lock_guard lock(mutex_);
    expected_ += n;
    --shards_left_;
    check();
  }
  void add_response(value v) {
    std::lock_guard lock(mutex_);
    responses_.push_back(std::move(v));
    check();
  }

 private:
  void check() {
    if (shards_left_ == 0 && responses_.size() >= expected_) {
      boost::asio::post(home_, [self = shared_from_this()] { self->finish(std::nullopt); });
    }
  }
  void finish(std::optional<std::string> error) {
    args responses;
    {
      std::lock_guard lock(mutex_);
      if (done_) return;
      done_ = true;
      responses = responses_;
    }
    timer_.cancel();
    cb_(ack_result{std::move(error), std::move(responses)});
  }

  ack_callback cb_;
  std::mutex mutex_;
  unsigned shards_left_;
  std::size_t expected_ = 0;
  args responses_;
  bool done_ = false;
  boost::asio::any_io_executor home_;
  boost::asio::steady_timer timer_;
};

// Sockets matching `opts` on one shard, collected first so the action may change the rooms.
std::vector<std::shared_ptr<socket>> matching(room_index& index, const broadcast_options& opts) {
  std::vector<std::shared_ptr<socket>> out;
  index.for_each(opts, [&](socket& s) { out.push_back(s.shared_from_this()); });
  return out;
}

}  // namespace

broadcast_operator::broadcast_operator(namespace_& nsp, broadcast_options opts)
    : nsp_(&nsp), opts_(std::move(opts)) {}

broadcast_operator broadcast_operator::to(const room& r) const {
  return to(std::vector<room>{r});
}

broadcast_operator broadcast_operator::to(const std::vector<room>& rs) const {
  auto copy = *this;
  copy.opts_.rooms.insert(rs.begin(), rs.end());
  return copy;
}

broadcast_operator broadcast_operator::except(const room& r) const {
  return except(std::vector<room>{r});
}

broadcast_operator broadcast_operator::except(const std::vector<room>& rs) const {
  auto copy = *this;
  copy.opts_.except.insert(rs.begin(), rs.end());
  return copy;
}

broadcast_operator broadcast_operator::local() const {
  auto copy = *this;
  copy.opts_.flags.local = true;
  return copy;
}

broadcast_operator broadcast_operator::volatile_() const {
  auto copy = *this;
  copy.opts_.flags.volatile_ = true;
  return copy;
}

broadcast_operator broadcast_operator::compress(bool on) const {
  auto copy = *this;
  copy.opts_.flags.compress = on;
  return copy;
}

broadcast_operator broadcast_operator::timeout(std::chrono::milliseconds ms) const {
  auto copy = *this;
  copy.timeout_ = ms;
  return copy;
}

void broadcast_operator::emit_args(std::string_view event, args values) const {
  // With recovery on, events without ack that are not volatile are stored for replay, their
  // offset appended as the last argument (Node's SessionAwareAdapter).
  if (auto* store = nsp_->recovery(); store && !opts_.flags.volatile_) {
    values.insert(values.begin(), value(event));
    store->record(values, opts_);
    values.erase(values.begin());
  }
  auto encoded = encode_event(*nsp_, event, std::move(values));
  nsp_->each_shard([encoded, opts = opts_](room_index& index) {
    index.for_each(opts, [&](socket& s) { s.owner().write(*encoded, opts.flags.volatile_); });
  });
}

void broadcast_operator::emit_with_ack(std::string_view event, args values, ack_callback cb) const {
  auto& engine = nsp_->owner().engine();
  auto home = engine.executor(engine.current_shard().value_or(0));
  auto gather = std::make_shared<ack_gather>(std::move(cb), engine.shard_count(), home);
  if (timeout_) gather->arm(*timeout_);
  // Node encodes once with one ack id that every recipient answers to.
  auto id = nsp_->next_ack_id();
  auto encoded = encode_event(*nsp_, event, std::move(values), id);
  nsp_->each_shard([encoded, opts = opts_, gather, id](room_index& index) {
    auto recipients = matching(index, opts);
    for (auto& s : recipients) {
      s->expect_ack(id, [gather](ack_result r) {
        gather->add_response(r.values.empty() ? value() : r.values[0]);
      });
      s->owner().write(*encoded, opts.flags.volatile_);
    }
    gather->add_recipients(recipients.size());
  });
}

void broadcast_operator::sockets_join(const std::vector<room>& rooms) const {
  nsp_->each_shard([opts = opts_, rooms](room_index& index) {
    for (auto& s : matching(index, opts)) s->join(rooms);
  });
}

void broadcast_operator::sockets_leave(const std::vector<room>& rooms) const {
  nsp_->each_shard([opts = opts_, rooms](room_index& index) {
    for (auto& s : matching(index, opts)) {
      for (const auto& r : rooms) s->leave(r);
    }
  });
}

void broadcast_operator::disconnect_sockets(bool close) const {
  nsp_->each_shard([opts = opts_, close](room_index& index) {
    for (auto& s : matching(index, opts)) s->disconnect(close);
  });
}

}  // namespace socketio
