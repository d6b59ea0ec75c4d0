// sio_bench: the load generator of the benchmark. Runs one scenario against a Socket.IO server
// (bench_server, or Node's twin) and prints its figures as one JSON object.
//
//   sio_bench echo|fanout|polling|connect|idle --port N --server-pid PID [options]
//
// Options (defaults in brackets): --clients [echo 50, fanout 1000, polling 200],
// --messages [fanout 2000, polling 500], --window [10], --connections [connect 2000,
// idle 10000], --concurrency [connect 50, others 200], --duration s [echo 10, idle 30],
// --warmup s [2], --rate emits/s [0: closed loop], --payload bytes [32], --timeout s [120],
// --tls 1 [0]: WebSocket clients over TLS (wss), certificates not verified.

#include <sys/resource.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

#include "scenarios.hpp"

namespace {

// Idle runs need many descriptors: take the hard limit.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: sio_bench echo|fanout|polling|connect|idle --port N --server-pid PID "
                 "[--clients N] [--messages N] [--window N] [--connections N] [--concurrency N] "
                 "[--duration S] [--warmup S] [--rate R] [--payload B] [--timeout S] [--tls 1]\n";
    return 2;
  }
  std::string scenario = argv[1];
  std::map<std::string, double> opt;
  for (int i = 2; i + 1 < argc; i += 2)
    opt[std::string(argv[i]).substr(2)] = std::atof(argv[i + 1]);
  auto get = [&](const char* name, double fallback) {
    auto it = opt.find(name);
    return it == opt.end() ? fallback : it->second;
  };
  auto count = [&](const char* name, double fallback) {
    return static_cast<std::size_t>(get(name, fallback));
  };

  bench::settings s;
  s.target.server = {bench::asio::ip::make_address("127.0.0.1"),
                     static_cast<unsigned short>(get("port", 3000))};
  s.server_pid = static_cast<int>(get("server-pid", 0));
  if (s.server_pid == 0) {
    std::cerr << "sio_bench: --server-pid is required (its CPU time and RSS are reported)\n";
    return 2;
  }
  s.clients = count("clients", scenario == "echo" ? 50 : scenario == "polling" ? 200 : 1000);
  s.messages = count("messages", scenario == "polling" ? 500 : 2000);
  s.window = count("window", 10);
  s.connections = count("connections", scenario == "idle" ? 10000 : 2000);
  s.concurrency = count("concurrency", scenario == "connect" ? 50 : 200);
  s.duration = get("duration", scenario == "idle" ? 30 : 10);
  s.warmup = get("warmup", 2);
  s.rate = get("rate", 0);
  s.payload = count("payload", 32);
  s.timeout = get("timeout", 120);
  if (get("tls", 0) != 0) {
    s.target.tls =
        std::make_shared<bench::asio::ssl::context>(bench::asio::ssl::context::tls_client);
  }
  raise_fd_limit();

  try {
    std::string figures;
    if (scenario == "echo") {
      figures = bench::run_echo(s);
    } else if (scenario == "fanout") {
      figures = bench::run_fanout(s, false);
    } else if (scenario == "polling") {
      figures = bench::run_fanout(s, true);
    } else if (scenario == "connect") {
      figures = bench::run_connect(s);
    } else if (scenario == "idle") {
      figures = bench::run_idle(s);
    } else {
      std::cerr << "sio_bench: unknown scenario " << scenario << "\n";
      return 2;
    }
    std::cout << R"({"scenario":")" << scenario << R"(",)" << figures << "}" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "sio_bench " << scenario << ": " << e.what() << "\n";
    return 1;
  }
}
