#pragma once
// UTF-8 well-formedness, shared by the query and polling body decoders (which replace bad bytes
// as WHATWG does) and the WebSocket frame reader (which refuses them, as `ws` does).

#include <cstddef>
#include <string>
#include <string_view>

namespace engineio::detail {

/// Length of the valid UTF-8 sequence at `i`, or of the longest start of one (the "maximal
/// subpart" the WHATWG decoder replaces with one U+FFFD), as a negative number.
int utf8_sequence(std::string_view s, std::size_t i) noexcept;

/// Complete UTF-8 without overlongs, surrogates or code points past U+10FFFF.
bool valid_utf8(std::string_view s) noexcept;

/// `s` with each maximal subpart that is not UTF-8 replaced by U+FFFD, as Node's
/// `buffer.toString()` and TextDecoder do.
std::string replace_invalid_utf8(std::string_view s);

}  // namespace engineio::detail
