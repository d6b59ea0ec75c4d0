#pragma once
/// Minimal logging to stderr, shared by both layers: the server logs rarely (clients closed for
/// not reading, user handlers that threw).

#include <fmt/format.h>

#include <cstdio>

namespace engineio {

template <typename... Args>
void log_warning(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "[sio] warning: {}\n", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace engineio
