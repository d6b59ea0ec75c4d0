#include "socketio/redis/client.hpp"

#include <boost/asio/post.hpp>

#include "engineio/log.hpp"
#include "socketio/redis/detail/resp_connection.hpp"

namespace socketio::redis {

using namespace std::chrono_literals;
using detail::reply;

std::shared_ptr<client> client::connect(boost::asio::any_io_executor executor,
                                        const std::string& url, client_options opts) {
  std::string_view rest = url;
  if (rest.starts_with("redis://")) rest.remove_prefix(8);
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  std::string host(rest.substr(0, colon));
  std::string port = colon == std::string_view::npos ? "6379" : std::string(rest.substr(colon + 1));
  auto c = std::make_shared<client>(std::move(executor), std::move(host), std::move(port), opts);
  boost::asio::post(c->executor_, [c] { c->open(); });
  return c;
}

client::client(boost::asio::any_io_executor executor, std::string host, std::string port,
               client_options opts)
    : executor_(std::move(executor)),
      host_(std::move(host)),
      port_(std::move(port)),
      opts_(opts),
      retry_(executor_) {}

client::~client() = default;

void client::open() {
  if (closed_) return;
  std::weak_ptr<client> weak = weak_from_this();
  auto lost = [weak] {
    if (auto self = weak.lock()) self->on_lost();
  };
  commands_ =
      std::make_shared<detail::resp_connection>(executor_, nullptr, lost, opts_.max_queued_bytes);
  subscriber_ = std::make_shared<detail::resp_connection>(
      executor_,
      [weak](const reply& r) {
        if (auto self = weak.lock()) self->on_push(r);
      },
      lost, opts_.max_queued_bytes);
  auto report = [weak, host = host_, port = port_](bool ok) {
    if (ok) return;
    engineio::log_warning("redis: cannot connect to {}:{}", host, port);
    if (auto self = weak.lock()) self->on_lost();
  };
  commands_->connect(host_, port_, report);
  subscriber_->connect(host_, port_, report);
  send_subscriptions();
}

void client::on_lost() {
  if (closed_ || retry_.expiry() > std::chrono::steady_clock::now()) return;  // already waiting
  commands_->close();
  subscriber_->close();
  retry_.expires_after(500ms);
  retry_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->open();
  });
}

void client::send_subscriptions() {
  for (const auto& [channel, sub] : channels_) subscriber_->command({"SUBSCRIBE", channel});
  for (const auto& [channel, sub] : shard_channels_) subscriber_->command({"SSUBSCRIBE", channel});
  for (const auto& [pattern, sub] : patterns_) subscriber_->command({"PSUBSCRIBE", pattern});
}

// ["message", channel, payload], ["smessage", channel, payload], ["pmessage", pattern, channel,
// payload].
void client::on_push(const reply& r) {
  const auto& kind = r.elements[0].str;
  if (kind == "pmessage" && r.elements.size() == 4) {
    if (auto it = patterns_.find(r.elements[1].str); it != patterns_.end()) {
      it->second.handler(r.elements[2].str, r.elements[3].str);
    }
    return;
  }
  if (r.elements.size() != 3) return;
  auto& table = kind == "smessage" ? shard_channels_ : channels_;
  if (auto it = table.find(r.elements[1].str); it != table.end()) {
    it->second.handler(r.elements[1].str, r.elements[2].str);
  }
}

void client::in_order(std::function<void()> op) {
  auto self = shared_from_this();
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(op));
    if (queue_.size() > 1) return;  // already posted
  }
  boost::asio::post(executor_, [self = std::move(self)] { self->run_queued(); });
}

// The adapters' completions run here too: one that throws is logged, and the rest still run.
void client::run_queued() {
  std::vector<std::function<void()>> ops;
  {
    std::lock_guard lock(queue_mutex_);
    ops.swap(queue_);
  }
  for (auto& op : ops) engineio::guarded("redis client call", op);
}

void client::publish(std::string channel, std::string payload, bool sharded) {
  in_order([this, channel = std::move(channel), payload = std::move(payload), sharded] {
    if (closed_ || !commands_) return;
    commands_->command({sharded ? "SPUBLISH" : "PUBLISH", channel, payload});
  });
}

subscription_id client::add(subscriptions& table, std::string key, message_handler handler,
                            std::vector<std::string> command) {
  auto id = ++last_id_;
  in_order([this, &table, id, key = std::move(key), handler = std::move(handler),
            command = std::move(command)]() mutable {
    table.insert_or_assign(key, subscription{id, std::move(handler)});
    if (subscriber_) subscriber_->command(command);
  });
  return id;
}

void client::remove(subscriptions& table, std::string key, subscription_id id,
                    std::vector<std::string> command) {
  in_order([this, &table, id, key = std::move(key), command = std::move(command)] {
    auto it = table.find(key);
    if (it == table.end() || it->second.id != id) return;
    table.erase(it);
    if (subscriber_) subscriber_->command(command);
  });
}

subscription_id client::subscribe(std::string channel, message_handler handler, bool sharded) {
  std::vector<std::string> command{sharded ? "SSUBSCRIBE" : "SUBSCRIBE", channel};
  return add(sharded ? shard_channels_ : channels_, std::move(channel), std::move(handler),
             std::move(command));
}

void client::unsubscribe(std::string channel, subscription_id id, bool sharded) {
  std::vector<std::string> command{sharded ? "SUNSUBSCRIBE" : "UNSUBSCRIBE", channel};
  remove(sharded ? shard_channels_ : channels_, std::move(channel), id, std::move(command));
}

subscription_id client::psubscribe(std::string pattern, message_handler handler) {
  std::vector<std::string> command{"PSUBSCRIBE", pattern};
  return add(patterns_, std::move(pattern), std::move(handler), std::move(command));
}

void client::punsubscribe(std::string pattern, subscription_id id) {
  std::vector<std::string> command{"PUNSUBSCRIBE", pattern};
  remove(patterns_, std::move(pattern), id, std::move(command));
}

// PUBSUB NUMSUB ch -> [ch, n]; PUBSUB SHARDNUMSUB alike.
void client::count_subscribers(std::string channel, std::function<void(std::size_t)> done,
                               bool sharded) {
  in_order([this, channel = std::move(channel), done = std::move(done), sharded]() mutable {
    if (closed_ || !commands_) return done(0);
    commands_->command({"PUBSUB", sharded ? "SHARDNUMSUB" : "NUMSUB", channel},
                       [done = std::move(done)](const reply& r) {
                         if (r.type != reply::kind::array || r.elements.size() != 2) {
                           return done(0);
                         }
                         const auto& n = r.elements[1];
                         done(n.type == reply::kind::integer
                                  ? static_cast<std::size_t>(std::max(0LL, n.integer))
                                  : 0);
                       });
  });
}

void client::close() {
  in_order([this] {
    closed_ = true;
    retry_.cancel();
    if (commands_) commands_->close();
    if (subscriber_) subscriber_->close();
  });
}

}  // namespace socketio::redis
