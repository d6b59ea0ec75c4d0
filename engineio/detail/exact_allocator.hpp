#pragma once
// Handler memory at its exact size, for the waits an idle connection keeps pending for its whole
// life (readability, the heartbeat). Asio's default recycles one block per thread, so such a wait
// inherits whatever larger block came free last (an HTTP read's, a few hundred bytes) and holds
// it as long as the connection idles.

#include <cstddef>
#include <new>

#include <boost/asio/bind_allocator.hpp>

namespace engineio::detail {

template <typename T>
struct exact_allocator {
  using value_type = T;

  exact_allocator() = default;
  template <typename U>
  exact_allocator(const exact_allocator<U>& /*other*/) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t /*n*/) noexcept { ::operator delete(p); }

  template <typename U>
  bool operator==(const exact_allocator<U>& /*other*/) const noexcept {
    return true;
  }
};

/// `handler` with its operation allocated at its exact size.
template <typename Handler>
auto exactly_sized(Handler&& handler) {
  return boost::asio::bind_allocator(exact_allocator<void>{}, std::forward<Handler>(handler));
}

}  // namespace engineio::detail
