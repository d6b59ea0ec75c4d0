#pragma once
/// Everything a Socket.IO application needs: `#include "socketio/socketio.hpp"`.

#include "socketio/broadcast_operator.hpp"
#include "socketio/error.hpp"
#include "socketio/namespace.hpp"
#include "socketio/parent_namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"
#include "socketio/value.hpp"
#include "socketio/version.hpp"
