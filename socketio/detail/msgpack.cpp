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

class reader {
 public:
  reader(const char* data, std::size_t max_depth) : p_(data), max_depth_(max_depth) {}

  std::optional<value> read(std::size_t depth = 0) {
    switch (mp_typeof(*p_)) {
      case MP_NIL:
        mp_decode_nil(&p_);
        return value();
      case MP_BOOL:
        return value(mp_decode_bool(&p_));
      case MP_UINT: {
        auto u = mp_decode_uint(&p_);
        if (u > static_cast<std::uint64_t>(INT64_MAX)) return value(static_cast<double>(u));
        return value(static_cast<std::int64_t>(u));
      }
      case MP_INT:
        return value(mp_decode_int(&p_));
      case MP_FLOAT:
        return value(static_cast<double>(mp_decode_float(&p_)));
      case MP_DOUBLE:
        return value(mp_decode_double(&p_));
      case MP_STR: {
        std::uint32_t n = 0;
        const char* s = mp_decode_str(&p_, &n);
        return value(std::string_view(s, n));
      }
      case MP_BIN: {
        std::uint32_t n = 0;
        const char* s = mp_decode_bin(&p_, &n);
        return value(binary{std::string(s, n)});
      }
      case MP_ARRAY: {
        if (depth >= max_depth_) return std::nullopt;
        array items;
        for (auto n = mp_decode_array(&p_); n > 0; --n) {
          auto item = read(depth + 1);
          if (!item) return std::nullopt;
          items.push_back(std::move(*item));
        }
        return value(std::move(items));
      }
      case MP_MAP: {
        if (depth >= max_depth_) return std::nullopt;
        object members;
        for (auto n = mp_decode_map(&p_); n > 0; --n) {
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
  // JavaScript object keys are strings: notepack turns integer keys into their decimal text.
  std::optional<std::string> read_key() {
    switch (mp_typeof(*p_)) {
      case MP_STR: {
        std::uint32_t len = 0;
        const char* key = mp_decode_str(&p_, &len);
        return std::string(key, len);
      }
      case MP_UINT:
        return std::to_string(mp_decode_uint(&p_));
      case MP_INT:
        return std::to_string(mp_decode_int(&p_));
      default:
        return std::nullopt;
    }
  }

  // notepack writes `undefined` as fixext1 type 0 and an ArrayBuffer as ext type 0.
  std::optional<value> read_ext() {
    auto lead = static_cast<unsigned char>(*p_++);
    std::uint32_t size = 0;
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
        size = mp_load_u8(&p_);
        break;
      case 0xc8:
        size = mp_load_u16(&p_);
        break;
      case 0xc9:
        size = mp_load_u32(&p_);
        break;
      default:
        return std::nullopt;
    }
    auto type = static_cast<signed char>(*p_++);
    std::string bytes(p_, size);
    p_ += size;
    if (type != 0) return std::nullopt;
    if (lead == 0xd4 && bytes == std::string(1, '\0')) return value();  // undefined
    return value(binary{std::move(bytes)});
  }

  const char* p_;
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
  if (bytes.empty()) return std::nullopt;
  // mp_check walks the whole buffer without recursion: afterwards every read is in bounds.
  const char* cursor = bytes.data();
  if (mp_check(&cursor, bytes.data() + bytes.size()) != 0 ||
      cursor != bytes.data() + bytes.size()) {
    return std::nullopt;
  }
  return reader(bytes.data(), max_depth).read();
}

}  // namespace socketio::detail
