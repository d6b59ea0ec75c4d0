#pragma once
// Minimal logging to stderr; the server logs rarely (refused clients, handler exceptions).

#include <fmt/format.h>

#include <cstdio>

namespace engineio::detail {

template <typename... Args>
void log_warning(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "[sio] warning: {}\n", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace engineio::detail
