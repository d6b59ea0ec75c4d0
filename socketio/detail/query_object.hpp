#pragma once
// Query parameters as the object Socket.IO puts in `handshake.query` (and, for v2 clients, in
// the namespace's auth): one member per name.

#include "engineio/request.hpp"
#include "socketio/value.hpp"

namespace socketio::detail {

/// Members in the order names first appear; a repeated name keeps its last value, as in Node.
value query_object(const engineio::query_params& params);

}  // namespace socketio::detail
