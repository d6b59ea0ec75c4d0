#pragma once
/// `sio::value`: the JSON values that events carry, plus binary (Node's Buffer), as one owning
/// tree. Handlers read their arguments as values and emit values built from C++ types.
///
/// ```cpp
/// sio::value v = sio::object{{"name", "bob"}, {"tags", sio::array{"a", 1, true}}};
/// v["name"].as_string();          // "bob"
/// v["missing"].is_null();         // true: missing keys and indexes read as null
/// sio::value b = sio::binary{"\x01\x02"};
/// ```

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace socketio {

/// Bytes that travel as a binary attachment.
struct binary {
  std::string bytes;
  bool operator==(const binary&) const = default;
};

class value;
using array = std::vector<value>;
using object = std::vector<std::pair<std::string, value>>;

class value {
 public:
  enum class kind { null, boolean, integer, number, string, binary, array, object };

  value() = default;
  value(std::nullptr_t) {}
  value(bool b) : v_(b) {}
  template <typename T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) value(T n)
      : v_(static_cast<std::int64_t>(n)) {}
  value(double d) : v_(d) {}
  value(float f) : v_(static_cast<double>(f)) {}
  value(std::string s) : v_(std::move(s)) {}
  value(std::string_view s) : v_(std::string(s)) {}
  value(const char* s) : v_(std::string(s)) {}
  value(socketio::binary b) : v_(std::move(b)) {}
  value(socketio::array a) : v_(std::move(a)) {}
  value(socketio::object o) : v_(std::move(o)) {}

  kind type() const noexcept { return static_cast<kind>(v_.index()); }
  bool is_null() const noexcept { return type() == kind::null; }
  bool is_bool() const noexcept { return type() == kind::boolean; }
  /// Integers and other numbers alike.
  bool is_number() const noexcept { return type() == kind::integer || type() == kind::number; }
  bool is_string() const noexcept { return type() == kind::string; }
  bool is_binary() const noexcept { return type() == kind::binary; }
  bool is_array() const noexcept { return type() == kind::array; }
  bool is_object() const noexcept { return type() == kind::object; }

  /// Typed reads; a value of another kind gives the type's empty value (false, 0, ""). `as_int`
  /// truncates a double toward zero, saturates it at int64's limits, and gives 0 for NaN.
  bool as_bool() const noexcept;
  std::int64_t as_int() const noexcept;
  double as_double() const noexcept;
  const std::string& as_string() const noexcept;
  const std::string& as_binary() const noexcept;
  const socketio::array& as_array() const noexcept;
  const socketio::object& as_object() const noexcept;
  socketio::array& as_array();
  socketio::object& as_object();

  /// Element or member; a null value when absent.
  const value& operator[](std::size_t index) const noexcept;
  const value& operator[](std::string_view key) const noexcept;
  bool contains(std::string_view key) const noexcept;
  /// JavaScript truthiness: false for null, false, 0, NaN and "", true for anything else.
  bool truthy() const noexcept;
  /// Elements of an array, members of an object, else 0.
  std::size_t size() const noexcept;

  /// JSON text, for logs and tests; binary reads as Node's Buffer#toJSON does.
  std::string to_json() const;

  bool operator==(const value& other) const = default;

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, socketio::binary,
               socketio::array, socketio::object>
      v_{nullptr};
};

/// The arguments of an event or an ack, in order.
using args = std::vector<value>;

}  // namespace socketio

namespace sio = socketio;
