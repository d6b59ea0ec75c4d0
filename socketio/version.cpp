#include "socketio/version.hpp"

namespace socketio {

std::string_view version() noexcept {
  return SIO_CPP_VERSION_STRING;
}

}  // namespace socketio
