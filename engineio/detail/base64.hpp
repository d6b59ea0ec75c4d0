#pragma once
// Standard base64 (RFC 4648 with padding), as Node's Buffer#toString("base64") writes it.

#include <optional>
#include <string>
#include <string_view>

namespace engineio::detail {

void base64_append(std::string& out, std::string_view bytes);

/// Decodes padded or unpadded base64; nullopt on a character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace engineio::detail
