#include "socketio/parent_namespace.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <memory>

namespace socketio {

void parent_adapter::add_child(std::shared_ptr<namespace_> child) {
  std::lock_guard lock(mutex_);
  children_.push_back(std::move(child));
}

void parent_adapter::remove_child(const namespace_& child) {
  std::lock_guard lock(mutex_);
  std::erase_if(children_, [&](const auto& c) { return c.get() == &child; });
}

std::vector<std::shared_ptr<namespace_>> parent_adapter::children() const {
  std::lock_guard lock(mutex_);
  return children_;
}

void parent_adapter::broadcast(const packet& p, const broadcast_options& opts) {
  for (const auto& child : children()) {
    auto copy = p;
    copy.nsp = child->name();
    child->adapter().broadcast(copy, opts);
  }
}

void parent_adapter::broadcast_with_ack(const packet& p, const broadcast_options& opts,
                                        std::function<void(std::size_t)> on_count,
                                        std::function<void(value)> on_response) {
  // One count for this server: the children's counts added up.
  auto kids = children();
  if (kids.empty()) return on_count(0);
  struct tally {
    std::mutex mutex;
    std::size_t left;
    std::size_t total = 0;
  };
  auto t = std::make_shared<tally>();
  t->left = kids.size();
  auto fold = [t, on_count](std::size_t n) {
    std::unique_lock lock(t->mutex);
    t->total += n;
    if (--t->left > 0) return;
    auto total = t->total;
    lock.unlock();
    on_count(total);
  };
  for (const auto& child : kids) {
    auto copy = p;
    copy.nsp = child->name();
    child->adapter().broadcast_with_ack(copy, opts, fold, on_response);
  }
}

void parent_adapter::add_sockets(const broadcast_options& opts, const std::vector<room>& rooms) {
  for (const auto& child : children()) child->adapter().add_sockets(opts, rooms);
}

void parent_adapter::del_sockets(const broadcast_options& opts, const std::vector<room>& rooms) {
  for (const auto& child : children()) child->adapter().del_sockets(opts, rooms);
}

void parent_adapter::disconnect_sockets(const broadcast_options& opts, bool close) {
  for (const auto& child : children()) child->adapter().disconnect_sockets(opts, close);
}

void parent_adapter::fetch_sockets(const broadcast_options& opts,
                                   std::function<void(fetch_result)> done) {
  auto kids = children();
  auto home = home_executor();
  if (kids.empty()) return boost::asio::post(home, [done] { done({}); });
  struct state {
    std::mutex mutex;
    std::size_t left;
    fetch_result all;
  };
  auto st = std::make_shared<state>();
  st->left = kids.size();
  for (const auto& child : kids) {
    child->adapter().fetch_sockets(opts, [st, done, home](fetch_result part) {
      std::lock_guard lock(st->mutex);
      std::move(part.sockets.begin(), part.sockets.end(), std::back_inserter(st->all.sockets));
      if (part.error) st->all.error = std::move(part.error);
      if (--st->left == 0) boost::asio::post(home, [st, done] { done(std::move(st->all)); });
    });
  }
}

}  // namespace socketio
