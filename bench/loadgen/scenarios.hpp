#pragma once
// The benchmark scenarios. Each runs on one io_context, bounded in clients and time, and
// returns its figures as JSON members (without braces).

#include <string>

#include "client.hpp"

namespace bench {

struct settings {
  client_config target;
  int server_pid = 0;
  std::size_t clients = 0;      // echo, fanout, polling
  std::size_t messages = 0;     // fanout, polling: broadcasts sent
  std::size_t window = 0;       // fanout, polling: broadcasts in flight
  std::size_t connections = 0;  // connect, idle
  std::size_t concurrency = 0;  // connect, and the ramp-up of the others
  double duration = 0;          // echo: seconds measured; idle: seconds held
  double warmup = 0;            // echo: seconds before measuring
  double rate = 0;              // echo: emits per second in all (0 = closed loop)
  std::size_t payload = 0;      // echo: bytes of the string echoed
  double timeout = 0;           // hard bound on any scenario, seconds
};

std::string run_echo(const settings& s);
std::string run_fanout(const settings& s, bool polling);
std::string run_connect(const settings& s);
std::string run_idle(const settings& s);

}  // namespace bench
