#include "socketio/redis/detail/requests.hpp"

#include <fmt/format.h>

#include <boost/asio/post.hpp>

namespace socketio::redis::detail {

requests::~requests() {
  std::lock_guard lock(table_->mutex);
  for (auto& [id, p] : table_->pending) p.timer->cancel();
  for (auto& [id, a] : table_->acks) a.timer->cancel();
  table_->pending.clear();
  table_->acks.clear();
}

void requests::wait(const std::string& id, std::chrono::milliseconds deadline, collect on_answer,
                    std::function<void()> expire) {
  auto timer = std::make_shared<boost::asio::steady_timer>(executor_, deadline);
  {
    std::lock_guard lock(table_->mutex);
    table_->pending[id] = {std::move(on_answer), std::move(expire), timer};
  }
  timer->async_wait([weak = std::weak_ptr<table>(table_), id](boost::system::error_code ec) {
    auto t = weak.lock();
    if (ec || !t) return;
    std::function<void()> expire;
    {
      std::lock_guard lock(t->mutex);
      auto it = t->pending.find(id);
      if (it == t->pending.end()) return;
      expire = std::move(it->second.expire);
      t->pending.erase(it);
    }
    expire();
  });
}

bool requests::answer(const std::string& id, const value& answer) {
  std::lock_guard lock(table_->mutex);
  auto it = table_->pending.find(id);
  if (it == table_->pending.end()) return false;
  if (it->second.on_answer(answer)) {
    it->second.timer->cancel();
    table_->pending.erase(it);
  }
  return true;
}

void requests::wait_replies(const std::string& id, std::chrono::milliseconds deadline,
                            std::size_t expected, std::string field,
                            const boost::asio::any_io_executor& home,
                            const std::function<void(ack_result)>& ack) {
  auto replies = std::make_shared<args>();
  wait(
      id, deadline,
      [replies, expected, field = std::move(field), home, ack](const value& answer) {
        replies->push_back(answer[field]);
        if (replies->size() < expected) return false;
        boost::asio::post(home, [ack, replies] { ack({std::nullopt, *replies}); });
        return true;
      },
      [replies, expected, home, ack] {
        auto message = fmt::format("timeout reached: only {} responses received out of {}",
                                   replies->size(), expected);
        boost::asio::post(home, [ack, replies, message] { ack({message, *replies}); });
      });
}

void requests::wait_acks(const std::string& id, std::chrono::milliseconds deadline,
                         std::function<void(std::size_t)> on_count,
                         std::function<void(value)> on_ack) {
  auto timer = std::make_shared<boost::asio::steady_timer>(executor_, deadline);
  {
    std::lock_guard lock(table_->mutex);
    table_->acks[id] = {std::move(on_count), std::move(on_ack), timer};
  }
  timer->async_wait([weak = std::weak_ptr<table>(table_), id](boost::system::error_code ec) {
    auto t = weak.lock();
    if (ec || !t) return;
    std::lock_guard lock(t->mutex);
    t->acks.erase(id);
  });
}

bool requests::count(const std::string& id, std::size_t clients) {
  std::function<void(std::size_t)> on_count;
  {
    std::lock_guard lock(table_->mutex);
    auto it = table_->acks.find(id);
    if (it == table_->acks.end()) return false;
    on_count = it->second.on_count;
  }
  on_count(clients);
  return true;
}

bool requests::ack(const std::string& id, const value& response) {
  std::function<void(value)> on_ack;
  {
    std::lock_guard lock(table_->mutex);
    auto it = table_->acks.find(id);
    if (it == table_->acks.end()) return false;
    on_ack = it->second.on_ack;
  }
  on_ack(response);
  return true;
}

bool requests::contains(const std::string& id) {
  std::lock_guard lock(table_->mutex);
  return table_->pending.contains(id) || table_->acks.contains(id);
}

}  // namespace socketio::redis::detail
