#include "socketio/value.hpp"

#include <algorithm>
#include <cmath>

#include "socketio/detail/json.hpp"

namespace socketio {
namespace {

const value null_value;
const std::string empty_string;
const socketio::array empty_array;
const socketio::object empty_object;

}  // namespace

bool value::as_bool() const noexcept {
  return is_bool() && std::get<bool>(v_);
}

std::int64_t value::as_int() const noexcept {
  if (type() == kind::integer) return std::get<std::int64_t>(v_);
  if (type() != kind::number) return 0;
  // Casting a double outside int64's range is undefined: saturate, and NaN gives 0.
  double d = std::get<double>(v_);
  if (std::isnan(d)) return 0;
  if (d >= 0x1p63) return INT64_MAX;
  if (d <= -0x1p63) return INT64_MIN;
  return static_cast<std::int64_t>(d);
}

double value::as_double() const noexcept {
  if (type() == kind::number) return std::get<double>(v_);
  if (type() == kind::integer) return static_cast<double>(std::get<std::int64_t>(v_));
  return 0;
}

const std::string& value::as_string() const noexcept {
  return is_string() ? std::get<std::string>(v_) : empty_string;
}

const std::string& value::as_binary() const noexcept {
  return is_binary() ? std::get<socketio::binary>(v_).bytes : empty_string;
}

const socketio::array& value::as_array() const noexcept {
  return is_array() ? std::get<socketio::array>(v_) : empty_array;
}

const socketio::object& value::as_object() const noexcept {
  return is_object() ? std::get<socketio::object>(v_) : empty_object;
}

socketio::array& value::as_array() {
  if (!is_array()) v_ = socketio::array{};
  return std::get<socketio::array>(v_);
}

socketio::object& value::as_object() {
  if (!is_object()) v_ = socketio::object{};
  return std::get<socketio::object>(v_);
}

const value& value::operator[](std::size_t index) const noexcept {
  const auto& a = as_array();
  return index < a.size() ? a[index] : null_value;
}

const value& value::operator[](std::string_view key) const noexcept {
  const auto& o = as_object();
  auto it = std::find_if(o.begin(), o.end(), [&](const auto& kv) { return kv.first == key; });
  return it != o.end() ? it->second : null_value;
}

bool value::contains(std::string_view key) const noexcept {
  const auto& o = as_object();
  return std::any_of(o.begin(), o.end(), [&](const auto& kv) { return kv.first == key; });
}

bool value::truthy() const noexcept {
  switch (type()) {
    case kind::null:
      return false;
    case kind::boolean:
      return as_bool();
    case kind::integer:
      return as_int() != 0;
    case kind::number:
      return as_double() != 0 && as_double() == as_double();  // NaN is falsy
    case kind::string:
      return !as_string().empty();
    default:
      return true;
  }
}

std::size_t value::size() const noexcept {
  if (is_array()) return as_array().size();
  if (is_object()) return as_object().size();
  return 0;
}

std::string value::to_json() const {
  return detail::to_json(*this);
}

}  // namespace socketio
