#pragma once
// The Set-Cookie value of Node's `cookie` option, in the order the `cookie` npm package writes it.

#include <string>
#include <string_view>

#include "engineio/options.hpp"

namespace engineio::detail {

std::string serialize_cookie(const cookie_options& cookie, std::string_view sid);

}  // namespace engineio::detail
