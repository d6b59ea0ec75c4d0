#pragma once
// Lets a test call a socket's internal members, as the library's own classes do.

#include "socketio/socket.hpp"

namespace sio_test {

struct internals {
  static socketio::detail::internal_key key() { return {}; }
};

}  // namespace sio_test
