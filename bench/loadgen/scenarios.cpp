#include "scenarios.hpp"

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>

#include <charconv>
#include <functional>
#include <stdexcept>
#include <vector>

#include "stats.hpp"

namespace bench {
namespace {

using namespace std::chrono_literals;

// 127.0.0.1 to .200 in turn: each source address has its own ~28k ephemeral ports, so neither
// many connections nor the TIME_WAIT left by earlier runs exhaust them.
asio::ip::address local_address(std::size_t i) {
  auto bytes = asio::ip::make_address_v4("127.0.0.1").to_bytes();
  bytes[3] = static_cast<unsigned char>(1 + i % 200);
  return asio::ip::address_v4(bytes);
}

// Server and generator figures over a measured stretch.
class meter {
 public:
  explicit meter(int pid) : pid_(pid) { restart(); }
  void restart() {
    server_ = sample_process(pid_);
    own_ = own_cpu_seconds();
    start_ = clock::now();
  }
  double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }
  std::string json() const {
    auto server = sample_process(pid_);
    return fmt::format(
        R"("seconds":{:.3f},"server_cpu_seconds":{:.3f},"server_rss_mib":{:.1f},"generator_cpu_seconds":{:.3f})",
        seconds(), server.cpu_seconds - server_.cpu_seconds, server.rss_mib,
        own_cpu_seconds() - own_);
  }

 private:
  int pid_;
  process_sample server_;
  double own_ = 0;
  clock::time_point start_;
};

// Opens `count` clients, at most `concurrency` handshakes at a time, then calls `ready`.
class connector : public client_events {
 public:
  connector(asio::io_context& io, const settings& s, bool polling, std::size_t count)
      : io_(io), s_(s), polling_(polling), count_(count) {}

  void open(std::function<void()> ready) {
    ready_ = std::move(ready);
    for (std::size_t i = 0; i < std::min(count_, s_.concurrency); ++i) open_next();
  }
  std::vector<std::shared_ptr<client>>& clients() { return clients_; }
  std::size_t connected() const { return connected_; }
  std::size_t failures() const { return failures_; }
  std::size_t closed_after_connect() const { return closed_after_connect_; }
  void close_all() {
    for (auto& c : clients_) c->close();
  }

  void on_connected(client& c) override {
    ++connected_;
    connected_flags_[c.index] = true;
    if (started_ < count_) open_next();
    if (connected_ + failures_ == count_ && ready_) std::exchange(ready_, nullptr)();
  }
  void on_closed(client& c, bool) override {
    if (connected_flags_[c.index]) {
      ++closed_after_connect_;
      return;
    }
    ++failures_;
    if (started_ < count_) open_next();
    if (connected_ + failures_ == count_ && ready_) std::exchange(ready_, nullptr)();
  }

 protected:
  void open_next() {
    auto cfg = s_.target;
    cfg.local = local_address(started_);
    auto c =
        polling_ ? make_polling_client(io_, cfg, *this) : make_websocket_client(io_, cfg, *this);
    c->index = started_++;
    clients_.push_back(c);
    connected_flags_.push_back(false);
    started_at_.push_back(now_ns());
    c->start();
  }

  asio::io_context& io_;
  const settings& s_;
  bool polling_;
  std::size_t count_;
  std::size_t started_ = 0;
  std::size_t connected_ = 0;
  std::size_t failures_ = 0;
  std::size_t closed_after_connect_ = 0;
  std::vector<bool> connected_flags_;
  std::vector<std::int64_t> started_at_;  // when each client began its handshake
  std::vector<std::shared_ptr<client>> clients_;
  std::function<void()> ready_;
};

// Runs `io` until `done` is set or `timeout` passes; throws on the timeout.
void run_until(asio::io_context& io, const bool& done, double timeout, const char* what) {
  auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                     std::chrono::duration<double>(timeout));
  while (!done) {
    if (clock::now() > deadline) throw std::runtime_error(std::string(what) + ": timed out");
    io.run_for(50ms);
    if (io.stopped()) io.restart();
  }
}

std::string percentiles(latencies& l) {
  return fmt::format(R"("p50_ms":{:.3f},"p99_ms":{:.3f},"p999_ms":{:.3f})", l.percentile_ms(50),
                     l.percentile_ms(99), l.percentile_ms(99.9));
}

// ---- echo -------------------------------------------------------------------------------

class echo_run : public connector {
 public:
  echo_run(asio::io_context& io, const settings& s)
      : connector(io, s, false, s.clients),
        payload_(fmt::format(R"("{}")", std::string(s.payload, 'x'))),
        sent_at_(s.clients),
        next_id_(s.clients, 1),
        timer_(io) {}

  void begin_measuring() { measuring_ = true; }
  void stop_sending() { sending_ = false; }

  void emit(client& c) {
    auto id = next_id_[c.index]++;
    sent_at_[c.index].push_back(now_ns());
    ++in_flight_;
    c.send(fmt::format(R"(2{}["echo",{}])", id, payload_));
  }
  void on_ack(client& c, std::uint64_t) override {
    auto& pending = sent_at_[c.index];
    if (pending.empty()) return;
    auto sent = pending.front();
    pending.erase(pending.begin());
    --in_flight_;
    if (measuring_) {
      latency_.add_ns(now_ns() - sent);
      ++acks_;
    }
    if (sending_ && s_.rate == 0) emit(c);
  }
  // Open loop: one emit every 1/rate seconds, round-robin over the clients.
  void pace(clock::time_point next) {
    if (!sending_) return;
    emit(*clients_[rr_++ % clients_.size()]);
    auto step =
        std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / s_.rate));
    next += step;
    timer_.expires_at(next);
    timer_.async_wait([this, next](boost::system::error_code ec) {
      if (!ec) pace(next);
    });
  }

  latencies latency_;
  std::uint64_t acks_ = 0;
  std::size_t in_flight_ = 0;

 private:
  std::string payload_;
  std::vector<std::vector<std::int64_t>> sent_at_;
  std::vector<std::uint64_t> next_id_;
  asio::steady_timer timer_;
  bool measuring_ = false;
  bool sending_ = true;
  std::size_t rr_ = 0;
};

// ---- fanout -----------------------------------------------------------------------------

class fanout_run : public connector {
 public:
  fanout_run(asio::io_context& io, const settings& s, bool polling)
      : connector(io, s, polling, s.clients), received_(s.messages, 0), last_seq_(s.clients, -1) {}

  void start_sending(std::shared_ptr<client> sender) {
    sender_ = std::move(sender);
    while (sent_ < s_.messages && sent_ - completed_ < s_.window) send_one();
  }
  bool done() const { return completed_ == s_.messages; }

  void on_event(client& c, std::string_view args) override {
    // ["bcast",<sent ns>,<seq>]
    if (args.substr(0, 9) != "[\"bcast\",") return;
    auto rest = args.substr(9);
    std::int64_t sent_ns = 0;
    long seq = -1;
    auto r = std::from_chars(rest.data(), rest.data() + rest.size(), sent_ns);
    std::from_chars(r.ptr + 1, rest.data() + rest.size(), seq);
    if (seq < 0 || static_cast<std::size_t>(seq) >= s_.messages) return ++errors_, void();
    latency_.add_ns(now_ns() - sent_ns);
    ++deliveries_;
    // One sender: every client must see its broadcasts once each, in order.
    if (seq <= last_seq_[c.index]) ++errors_;
    last_seq_[c.index] = seq;
    if (++received_[static_cast<std::size_t>(seq)] == s_.clients) {
      ++completed_;
      if (sent_ < s_.messages) send_one();
    }
  }

  latencies latency_;
  std::uint64_t deliveries_ = 0;
  std::uint64_t errors_ = 0;

 private:
  void send_one() { sender_->send(fmt::format(R"(2["bcast",{},{}])", now_ns(), sent_++)); }

  std::vector<std::size_t> received_;
  std::vector<long> last_seq_;
  std::shared_ptr<client> sender_;
  std::size_t sent_ = 0;
  std::size_t completed_ = 0;
};

// A single WebSocket client that only sends (its own copies of the broadcasts are ignored).
class sender_events : public client_events {
 public:
  void on_connected(client&) override { connected = true; }
  void on_closed(client&, bool) override { failed = true; }
  bool connected = false;
  bool failed = false;
};

}  // namespace

std::string run_echo(const settings& s) {
  asio::io_context io;
  echo_run run(io, s);
  bool ready = false;
  run.open([&] { ready = true; });
  run_until(io, ready, s.timeout, "echo connect");
  if (run.connected() == 0) throw std::runtime_error("echo: no client connected");
  if (s.rate > 0) {
    run.pace(clock::now());
  } else {
    for (auto& c : run.clients()) run.emit(*c);
  }
  bool phase_over = false;
  asio::steady_timer timer(io);
  auto wait = [&](double seconds) {
    phase_over = false;
    timer.expires_after(
        std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds)));
    timer.async_wait([&](boost::system::error_code) { phase_over = true; });
    run_until(io, phase_over, seconds + 5, "echo");
  };
  wait(s.warmup);
  meter m(s.server_pid);
  run.begin_measuring();
  wait(s.duration);
  auto figures = m.json();
  auto seconds = m.seconds();
  run.stop_sending();
  run.close_all();
  io.run_for(100ms);
  return fmt::format(
      R"("clients":{},"rate":{},"acks":{},"acks_per_second":{:.1f},{},{},"failures":{})",
      run.connected(), s.rate, run.acks_, static_cast<double>(run.acks_) / seconds,
      percentiles(run.latency_), figures, run.failures());
}

std::string run_fanout(const settings& s, bool polling) {
  asio::io_context io;
  fanout_run run(io, s, polling);
  bool ready = false;
  run.open([&] { ready = true; });
  run_until(io, ready, s.timeout, "fanout connect");
  if (run.failures() > 0) throw std::runtime_error("fanout: some clients failed to connect");

  sender_events sender_state;
  auto cfg = s.target;
  auto sender = make_websocket_client(io, cfg, sender_state);
  sender->start();
  run_until(io, sender_state.connected, s.timeout, "fanout sender");

  meter m(s.server_pid);
  run.start_sending(sender);
  bool done = false;
  asio::steady_timer poll(io);
  std::function<void()> check = [&] {
    done = run.done();
    if (done) return;
    poll.expires_after(5ms);
    poll.async_wait([&](boost::system::error_code ec) {
      if (!ec) check();
    });
  };
  check();
  run_until(io, done, s.timeout, polling ? "polling fanout" : "fanout");
  auto figures = m.json();
  auto seconds = m.seconds();
  sender->close();
  run.close_all();
  io.run_for(100ms);
  return fmt::format(
      R"("clients":{},"transport":"{}","messages":{},"window":{},"deliveries":{},"deliveries_per_second":{:.1f},{},{},"errors":{})",
      s.clients, polling ? "polling" : "websocket", s.messages, s.window, run.deliveries_,
      static_cast<double>(run.deliveries_) / seconds, percentiles(run.latency_), figures,
      run.errors_);
}

std::string run_connect(const settings& s) {
  // Each connection: TCP, WebSocket handshake, the open packet, CONNECT and its answer; then it
  // is closed and the next one starts, `concurrency` at a time.
  struct connect_run : connector {
    using connector::connector;
    void on_connected(client& c) override {
      latency.add_ns(now_ns() - started_at_[c.index]);
      c.close();
      connector::on_connected(c);
    }
    latencies latency;
  };
  asio::io_context io;
  connect_run run(io, s, false, s.connections);
  meter m(s.server_pid);
  bool ready = false;
  run.open([&] { ready = true; });
  run_until(io, ready, s.timeout, "connect");
  auto figures = m.json();
  auto seconds = m.seconds();
  io.run_for(100ms);
  return fmt::format(
      R"("connections":{},"concurrency":{},"connected":{},"connections_per_second":{:.1f},{},{},"failures":{})",
      s.connections, s.concurrency, run.connected(), static_cast<double>(run.connected()) / seconds,
      percentiles(run.latency), figures, run.failures());
}

std::string run_idle(const settings& s) {
  asio::io_context io;
  connector run(io, s, false, s.connections);
  auto before = sample_process(s.server_pid);
  bool ready = false;
  run.open([&] { ready = true; });
  run_until(io, ready, s.timeout, "idle connect");
  // Hold them, answering pings; a connection the server drops for a late pong shows up as a
  // close after connect.
  bool held = false;
  asio::steady_timer timer(io);
  timer.expires_after(
      std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s.duration)));
  timer.async_wait([&](boost::system::error_code) { held = true; });
  run_until(io, held, s.duration + 10, "idle hold");
  auto after = sample_process(s.server_pid);
  auto connected = run.connected();
  auto dropped = run.closed_after_connect();
  run.close_all();
  io.run_for(200ms);
  double per_connection_kib =
      connected == 0 ? 0
                     : (after.rss_mib - before.rss_mib) * 1024.0 / static_cast<double>(connected);
  return fmt::format(
      R"("connections":{},"connected":{},"held_seconds":{},"dropped":{},"server_rss_before_mib":{:.1f},"server_rss_mib":{:.1f},"rss_per_connection_kib":{:.2f},"failures":{})",
      s.connections, connected, s.duration, dropped, before.rss_mib, after.rss_mib,
      per_connection_kib, run.failures());
}

}  // namespace bench
