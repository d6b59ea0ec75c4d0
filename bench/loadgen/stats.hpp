#pragma once
// Measurements: latency samples with percentiles, and CPU time and RSS of a process from /proc.

#include <sys/resource.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

using clock = std::chrono::steady_clock;

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch())
      .count();
}

/// Latencies in microseconds; percentiles by sorting once at the end.
class latencies {
 public:
  void add_ns(std::int64_t ns) { samples_.push_back(static_cast<std::uint32_t>(ns / 1000)); }
  std::size_t count() const { return samples_.size(); }
  /// The p-th percentile (0..100) in milliseconds.
  double percentile_ms(double p) {
    if (samples_.empty()) return 0;
    if (!sorted_) std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
    auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples_.size() - 1));
    return samples_[index] / 1000.0;
  }

 private:
  std::vector<std::uint32_t> samples_;
  bool sorted_ = false;
};

/// CPU seconds (user + system) and resident memory of a process, read from /proc.
struct process_sample {
  double cpu_seconds = 0;
  double rss_mib = 0;
};

inline process_sample sample_process(int pid) {
  process_sample s;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) s.cpu_seconds += std::stod(field) / ticks;
  }
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_mib = std::stod(line.substr(6)) / 1024.0;
  }
  return s;
}

/// This process's own CPU seconds.
inline double own_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

}  // namespace bench
