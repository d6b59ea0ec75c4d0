#include "socketio/detail/msgpack.hpp"

#include <msgpuck.h>

#include <cmath>
#include <cstring>

namespace socketio::detail {
namespace {

// Reserves room for one encoder call and trims what it did not use.
template <typename Encode>
void put(std::string& out, std::size_t max_size, Encode encode) {
  auto start = out.size();
  out.resize(start + max_size);
  char* end = encode(out.data() + start);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void put_integer(std::string& out, std::int64_t n) {
  if (n >= 0) {
    put(out, mp_sizeof_uint(static_cast<std::uint64_t>(n)),
        [n](char* p) { return mp_encode_uint(p, static_cast<std::uint64_t>(n)); });
  } else {
    put(out, mp_sizeof_int(n), [n](char* p) { return mp_encode_int(p, n); });
  }
}

void put_bytes(std::string& out, std::string_view s, bool binary) {
  auto n = static_cast<std::uint32_t>(s.size());
  if (binary) {
    put(out, mp_sizeof_binl(n), [n](char* p) { return mp_encode_binl(p, n); });
  } else {
    put(out, mp_sizeof_strl(n), [n](char* p) { return mp_encode_strl(p, n); });
  }
  out.append(s);
}

// Every read is bounded by `end_`: msgpuck's mp_check is not used, its item counter is an int
// that wraps on array32/map32 counts of 2^31 and more, and then accepts a truncated value.
class reader {
 public:
  reader(std::string_view bytes, std::size_t max_depth)
      : p_(bytes.data()), end_(bytes.data() + bytes.size()), max_depth_(max_depth) {}

  bool at_end() const noexcept { return p_ == end_; }

  std::optional<value> read(std::size_t depth = 0) {
    if (at_end()) return std::nullopt;
    switch (mp_typeof(*p_)) {
      case MP_NIL:
        mp_decode_nil(&p_);
        return value();
      case MP_BOOL:
        return value(mp_decode_bool(&p_));
      case MP_UINT: {
        if (mp_check_uint(p_, end_) > 0) return std::nullopt;
        auto u = mp_decode_uint(&p_);
        if (u > static_cast<std::uint64_t>(INT64_MAX)) return value(static_cast<double>(u));
        return value(static_cast<std::int64_t>(u));
      }
      case MP_INT:
        if (mp_check_int(p_, end_) > 0) return std::nullopt;
        return value(mp_decode_int(&p_));
      case MP_FLOAT:
        if (mp_check_float(p_, end_) > 0) return std::nullopt;
        return value(static_cast<double>(mp_decode_float(&p_)));
      case MP_DOUBLE:
        if (mp_check_double(p_, end_) > 0) return std::nullopt;
        return value(mp_decode_double(&p_));
      case MP_STR: {
        if (mp_check_strl(p_, end_) > 0) return std::nullopt;
        auto s = take(mp_decode_strl(&p_));
        if (!s) return std::nullopt;
        return value(*s);
      }
      case MP_BIN: {
        if (mp_check_binl(p_, end_) > 0) return std::nullopt;
        auto s = take(mp_decode_binl(&p_));
        if (!s) return std::nullopt;
        return value(binary{std::string(*s)});
      }
      case MP_ARRAY: {
        if (depth >= max_depth_ || mp_check_array(p_, end_) > 0) return std::nullopt;
        std::uint64_t n = mp_decode_array(&p_);
        // Each item takes at least one byte: a larger count cannot be honest.
        if (n > left()) return std::nullopt;
        array items;
        for (; n > 0; --n) {
          auto item = read(depth + 1);
          if (!item) return std::nullopt;
          items.push_back(std::move(*item));
        }
        return value(std::move(items));
      }
      case MP_MAP: {
        if (depth >= max_depth_ || mp_check_map(p_, end_) > 0) return std::nullopt;
        std::uint64_t n = mp_decode_map(&p_);
        if (2 * n > left()) return std::nullopt;  // a key and a value per member
        object members;
        for (; n > 0; --n) {
          auto key = read_key();
          if (!key) return std::nullopt;
          auto item = read(depth + 1);
          if (!item) return std::nullopt;
          members.emplace_back(std::move(*key), std::move(*item));
        }
        return value(std::move(members));
      }
      case MP_EXT:
        return read_ext();
    }
    return std::nullopt;
  }

 private:
  std::uint64_t left() const noexcept { return static_cast<std::uint64_t>(end_ - p_); }

  // The next `n` bytes, or nullopt when fewer are left.
  std::optional<std::string_view> take(std::uint64_t n) {
    if (n > left()) return std::nullopt;
    std::string_view s(p_, static_cast<std::size_t>(n));
    p_ += n;
    return s;
  }

  // A big-endian unsigned integer of `size` bytes.
  std::optional<std::uint32_t> take_uint(std::size_t size) {
    auto bytes = take(size);
    if (!bytes) return std::nullopt;
    std::uint32_t n = 0;
    for (char c : *bytes) n = (n << 8) | static_cast<unsigned char>(c);
    return n;
  }

  // JavaScript object keys are strings: notepack turns integer keys into their decimal text.
  std::optional<std::string> read_key() {
    if (at_end()) return std::nullopt;
    switch (mp_typeof(*p_)) {
      case MP_STR: {
        if (mp_check_strl(p_, end_) > 0) return std::nullopt;
        auto key = take(mp_decode_strl(&p_));
        if (!key) return std::nullopt;
        return std::string(*key);
      }
      case MP_UINT:
        if (mp_check_uint(p_, end_) > 0) return std::nullopt;
        return std::to_string(mp_decode_uint(&p_));
      case MP_INT:
        if (mp_check_int(p_, end_) > 0) return std::nullopt;
        return std::to_string(mp_decode_int(&p_));
      default:
        return std::nullopt;
    }
  }

  // notepack writes `undefined` as fixext1 type 0 and an ArrayBuffer as ext type 0.
  std::optional<value> read_ext() {
    auto lead = static_cast<unsigned char>(*p_++);
    std::optional<std::uint32_t> size;
    switch (lead) {
      case 0xd4:
        size = 1;
        break;
      case 0xd5:
        size = 2;
        break;
      case 0xd6:
        size = 4;
        break;
      case 0xd7:
        size = 8;
        break;
      case 0xd8:
        size = 16;
        break;
      case 0xc7:
        size = take_uint(1);
        break;
      case 0xc8:
        size = take_uint(2);
        break;
      case 0xc9:
        size = take_uint(4);
        break;
      default:
        return std::nullopt;
    }
    auto type = size ? take(1) : std::nullopt;
    auto bytes = type ? take(*size) : std::nullopt;
    if (!bytes || (*type)[0] != 0) return std::nullopt;
    if (lead == 0xd4 && *bytes == std::string_view("\0", 1)) return value();  // undefined
    return value(binary{std::string(*bytes)});
  }

  const char* p_;
  const char* end_;
  std::size_t max_depth_;
};

}  // namespace

void append_msgpack(std::string& out, const value& v) {
  switch (v.type()) {
    case value::kind::null:
      return put(out, mp_sizeof_nil(), [](char* p) { return mp_encode_nil(p); });
    case value::kind::boolean: {
      bool b = v.as_bool();
      return put(out, mp_sizeof_bool(b), [b](char* p) { return mp_encode_bool(p, b); });
    }
    case value::kind::integer:
      return put_integer(out, v.as_int());
    case value::kind::number: {
      double d = v.as_double();
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
        return put_integer(out, static_cast<std::int64_t>(d));
      }
      return put(out, mp_sizeof_double(d), [d](char* p) { return mp_encode_double(p, d); });
    }
    case value::kind::string:
      return put_bytes(out, v.as_string(), false);
    case value::kind::binary:
      return put_bytes(out, v.as_binary(), true);
    case value::kind::array: {
      auto n = static_cast<std::uint32_t>(v.size());
      put(out, mp_sizeof_array(n), [n](char* p) { return mp_encode_array(p, n); });
      for (const auto& item : v.as_array()) append_msgpack(out, item);
      return;
    }
    case value::kind::object: {
      auto n = static_cast<std::uint32_t>(v.size());
      put(out, mp_sizeof_map(n), [n](char* p) { return mp_encode_map(p, n); });
      for (const auto& [key, item] : v.as_object()) {
        put_bytes(out, key, false);
        append_msgpack(out, item);
      }
      return;
    }
  }
}

std::optional<value> parse_msgpack(std::string_view bytes, std::size_t max_depth) {
  reader r(bytes, max_depth);
  auto v = r.read();
  if (!r.at_end()) return std::nullopt;
  return v;
}

}  // namespace socketio::detail
