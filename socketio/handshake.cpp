#include "socketio/handshake.hpp"

namespace socketio {

value handshake::to_value() const {
  return object{{"headers", headers}, {"time", time},     {"address", address},
                {"xdomain", xdomain}, {"secure", secure}, {"issued", issued},
                {"url", url},         {"query", query},   {"auth", auth}};
}

}  // namespace socketio
