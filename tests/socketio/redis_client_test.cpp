// redis::client against a private redis-server (installed by scripts/setup.sh --tests) on a free
// port: the order of calls from several threads, and subscription ids.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "socketio/redis/client.hpp"

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::uint16_t free_port() {
  asio::io_context ctx;
  tcp::acceptor probe(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return probe.local_endpoint().port();
}

// redis-server on 127.0.0.1, without persistence, stopped with the object (or with this process,
// should it die first).
class redis_server {
 public:
  redis_server() : port_(free_port()) {
    auto port = std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--loglevel", "warning", nullptr);
      ::_exit(127);
    }
  }
  ~redis_server() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  /// Whether it accepts connections within 5 s (and has not exited: the port was taken meanwhile,
  /// or there is no redis-server).
  bool ready() {
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) != 0) {
        pid_ = -1;
        return false;
      }
      asio::io_context ctx;
      tcp::socket s(ctx);
      boost::system::error_code ec;
      s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
      if (!ec) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_;
  pid_t pid_ = -1;
};

// What a channel's handler received, in order.
class inbox {
 public:
  socketio::redis::message_handler handler() {
    return [this](const std::string&, const std::string& payload) {
      std::lock_guard lock(mutex_);
      got_.push_back(payload);
      changed_.notify_all();
    };
  }
  /// What came, once `payload` has (or after 5 s).
  std::vector<std::string> wait_for(const std::string& payload) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 5s, [&] { return std::ranges::count(got_, payload) > 0; });
    return got_;
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return got_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> got_;
};

class RedisClient : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.ready()) << "redis-server did not start (scripts/setup.sh --tests)";
    client_ = socketio::redis::client::connect(io_.get_executor(), redis_.url());
  }
  void TearDown() override {
    if (client_) client_->close();
    client_.reset();
    work_.reset();
    thread_.join();
  }
  // Publishes until `box` has a message: a subscription is live once Redis has answered it.
  void wait_until_subscribed(const std::string& channel, inbox& box) {
    for (int i = 0; i < 100 && box.size() == 0; ++i) {
      client_->publish(channel, "ping");
      std::this_thread::sleep_for(50ms);
    }
    ASSERT_GT(box.size(), 0u) << channel << " never subscribed";
  }

  /// A handler's inbox, which outlives the client's thread.
  inbox& make_inbox() { return inboxes_.emplace_back(); }

  std::deque<inbox> inboxes_;
  redis_server redis_;
  asio::io_context io_{1};  // one thread, as each shard's
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_{[this] { io_.run(); }};
  std::shared_ptr<socketio::redis::client> client_;
};

}  // namespace

// A call made on the client's thread comes first when another thread's call follows it, even
// while the first caller's handler is still running (a post from there would wait behind it).
TEST_F(RedisClient, CallsTakeEffectInTheOrderTheyAreMade) {
  auto& box = make_inbox();
  client_->subscribe("ordered", box.handler());
  wait_until_subscribed("ordered", box);

  std::promise<void> second_sent;
  asio::post(io_, [&] {
    client_->publish("ordered", "first");
    std::thread([&] {
      client_->publish("ordered", "second");
      second_sent.set_value();
    }).join();
  });
  second_sent.get_future().wait();

  auto got = box.wait_for("second");
  auto first = std::ranges::find(got, "first");
  auto second = std::ranges::find(got, "second");
  ASSERT_NE(second, got.end());
  EXPECT_LT(first, second) << "\"second\" overtook \"first\"";
}

// A namespace made again while its old adapter goes away: the old unsubscribe comes after the
// new subscribe, and must not end it.
TEST_F(RedisClient, AnOlderSubscriptionsIdEndsNothing) {
  auto& old_box = make_inbox();
  auto& new_box = make_inbox();
  auto old_id = client_->subscribe("renewed", old_box.handler());
  client_->subscribe("renewed", new_box.handler());
  client_->unsubscribe("renewed", old_id);
  wait_until_subscribed("renewed", new_box);
  EXPECT_EQ(old_box.size(), 0u);

  auto& old_patterns = make_inbox();
  auto& patterns = make_inbox();
  auto old_pattern = client_->psubscribe("pat*", old_patterns.handler());
  client_->psubscribe("pat*", patterns.handler());
  client_->punsubscribe("pat*", old_pattern);
  wait_until_subscribed("pattern", patterns);
  EXPECT_EQ(old_patterns.size(), 0u);
}

// The subscription's own id ends it: the handler is gone, and Redis no longer counts it.
TEST_F(RedisClient, ItsOwnIdEndsASubscription) {
  auto& ended = make_inbox();
  auto& witness = make_inbox();
  auto id = client_->subscribe("ended", ended.handler());
  wait_until_subscribed("ended", ended);
  client_->unsubscribe("ended", id);
  client_->subscribe("witness", witness.handler());
  wait_until_subscribed("witness", witness);  // in order: "ended" is unsubscribed by now
  auto seen = ended.size();
  client_->publish("ended", "late");
  client_->publish("witness", "after");
  witness.wait_for("after");
  EXPECT_EQ(ended.size(), seen);
  auto count = std::make_shared<std::promise<std::size_t>>();
  client_->count_subscribers("ended", [count](std::size_t n) { count->set_value(n); });
  auto counted = count->get_future();
  ASSERT_EQ(counted.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(counted.get(), 0u) << "Redis was not told";
}
