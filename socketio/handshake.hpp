#pragma once
/// What the client sent when its socket connected: Node's `socket.handshake`.

#include <cstdint>
#include <string>

#include "socketio/value.hpp"

namespace socketio {

struct handshake {
  value headers;     // object: lower-case header name -> string
  std::string time;  // Date#toString() of the connection time, as Node
  std::string address;
  bool xdomain = false;  // an Origin header was sent
  bool secure = false;
  std::int64_t issued = 0;  // ms since the epoch
  std::string url;
  value query;  // object: name -> string (decoded)
  value auth;   // the CONNECT payload (v5) or the namespace query (v4)

  /// The handshake as Node serialises it (JSON.stringify(socket.handshake)).
  value to_value() const;
};

}  // namespace socketio
