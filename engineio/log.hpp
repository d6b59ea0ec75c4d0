#pragma once
/// Minimal logging to stderr, shared by both layers: the server logs rarely (clients closed for
/// not reading, user handlers that threw).

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string_view>

namespace engineio {

template <typename... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "[sio] {}\n", fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void log_warning(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "[sio] warning: {}\n", fmt::format(format, std::forward<Args>(args)...));
}

/// Calls user code (a handler, a listener): what it throws is logged, and the connection and the
/// shard thread go on.
template <typename F>
void guarded(std::string_view what, F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const std::exception& e) {
    log_warning("{} threw: {}", what, e.what());
  } catch (...) {
    log_warning("{} threw", what);
  }
}

}  // namespace engineio
