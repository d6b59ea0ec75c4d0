#pragma once
// The Set-Cookie value of Node's `cookie` option, in the order the `cookie` npm package writes it.

#include <string>
#include <string_view>

#include "engineio/options.hpp"

namespace engineio::detail {

/// Throws std::invalid_argument naming the first option the cookie package would refuse.
void check_cookie(const cookie_options& cookie);
std::string serialize_cookie(const cookie_options& cookie, std::string_view sid);

}  // namespace engineio::detail
