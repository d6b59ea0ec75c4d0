#pragma once
// Engine.IO v3 polling frames count lengths in UTF-16 code units, as JavaScript's String#length
// does. These helpers measure UTF-8 text in those units.

#include <cstddef>
#include <optional>
#include <string_view>

namespace engineio::detail {

/// UTF-16 length of UTF-8 text; an invalid byte counts as one unit (it decodes to U+FFFD).
std::size_t utf16_length(std::string_view utf8) noexcept;

/// Byte length of the prefix of `utf8` that is `units` UTF-16 units long; nullopt when the text
/// is shorter or the count would split a surrogate pair.
std::optional<std::size_t> utf8_prefix_bytes(std::string_view utf8, std::size_t units) noexcept;

}  // namespace engineio::detail
