#pragma once
/// Session ids: 20 characters of [A-Za-z0-9_-], like Node's base64id. The first character names
/// the shard that owns the session, so a request landing on another shard is routed without a
/// shared table; the other 19 carry 114 bits from the system's cryptographic random source.

#include <optional>
#include <string>
#include <string_view>

namespace engineio {

std::string generate_sid(unsigned shard);

/// The shard encoded in `sid`, or nullopt when it cannot be one of ours.
std::optional<unsigned> sid_shard(std::string_view sid, unsigned shard_count) noexcept;

}  // namespace engineio
