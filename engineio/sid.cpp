#include "engineio/sid.hpp"

#include <array>
#include <random>

namespace engineio {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string generate_sid(unsigned shard) {
  // std::random_device reads the kernel's CSPRNG (getrandom / /dev/urandom) on Linux.
  thread_local std::random_device random;
  std::string sid(20, '\0');
  sid[0] = alphabet[shard % alphabet.size()];
  std::uint32_t bits = 0;
  int available = 0;
  for (std::size_t i = 1; i < sid.size(); ++i) {
    if (available < 6) {
      bits = random();
      available = 32;
    }
    sid[i] = alphabet[bits & 63];
    bits >>= 6;
    available -= 6;
  }
  return sid;
}

std::optional<unsigned> sid_shard(std::string_view sid, unsigned shard_count) noexcept {
  if (sid.size() != 20) return std::nullopt;
  auto index = alphabet.find(sid.front());
  if (index == std::string_view::npos || index >= shard_count) return std::nullopt;
  return static_cast<unsigned>(index);
}

}  // namespace engineio
