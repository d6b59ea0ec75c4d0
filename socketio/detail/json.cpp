#include "socketio/detail/json.hpp"

#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdlib>

namespace socketio::detail {
namespace {

// Builds the value tree from SAX events with an explicit stack: no recursion on input depth.
class tree_builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, tree_builder> {
 public:
  explicit tree_builder(std::size_t max_depth) : max_depth_(max_depth) {}

  bool Null() { return add(value()); }
  bool Bool(bool b) { return add(value(b)); }
  // Numbers come as text (kParseNumbersAsStringsFlag; NUL-terminated when not parsing in
  // place): RapidJSON 1.1.0's own full-precision conversion reads out of bounds on some long
  // numbers (a crash any client could send). Integers that fit int64 stay integers; the rest
  // are rounded correctly by strtod, as JavaScript does, in the "C" locale whatever the
  // application set.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(s, s + n, i);
    if (ec == std::errc{} && end == s + n) return add(value(i));
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", nullptr);
    double d = strtod_l(s, nullptr, c_locale);
    if (std::isinf(d)) return false;  // too big, as RapidJSON refused it before
    return add(value(d));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return add(value(std::string_view(s, n)));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    stack_.back()->as_object().emplace_back(std::string(s, n), value());
    return true;
  }
  bool StartObject() { return open(value(object{})); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(value(array{})); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  value take() { return std::move(root_); }

 private:
  // Where the next value goes: the root, the end of the open array, or the last key's slot.
  value* slot() {
    if (stack_.empty()) return &root_;
    value* top = stack_.back();
    if (top->is_array()) return &top->as_array().emplace_back();
    return &top->as_object().back().second;
  }
  bool add(value v) {
    *slot() = std::move(v);
    return true;
  }
  bool open(value container) {
    if (stack_.size() >= max_depth_) return false;
    value* target = slot();
    *target = std::move(container);
    stack_.push_back(target);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::size_t max_depth_;
  value root_;
  std::vector<value*> stack_;
};

// JavaScript strings may hold lone UTF-16 surrogates ("\ud800", half an emoji), which RapidJSON
// refuses and UTF-8 cannot hold. They travel inside sio-cpp as WTF-8 (the 3-byte form of the
// surrogate, ED A0..BF xx, which valid UTF-8 never contains) and leave as "\uXXXX" escapes again,
// so a client gets back exactly the string it sent.

int hex4(std::string_view s) {
  int v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

bool is_high(int u) {
  return u >= 0xd800 && u <= 0xdbff;
}
bool is_low(int u) {
  return u >= 0xdc00 && u <= 0xdfff;
}

// Rewrites lone surrogate escapes as WTF-8 bytes; nullopt when there are none (the usual case).
std::optional<std::string> lone_surrogates_to_wtf8(std::string_view text) {
  std::string out;
  bool changed = false;
  std::size_t copied = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '\\') continue;
    if (text[i + 1] != 'u' || i + 6 > text.size()) {
      ++i;  // any other escape: skip the escaped character
      continue;
    }
    int unit = hex4(text.substr(i + 2, 4));
    if (!is_high(unit) && !is_low(unit)) {
      i += 5;
      continue;
    }
    bool paired = is_high(unit) && i + 12 <= text.size() && text.substr(i + 6, 2) == "\\u" &&
                  is_low(hex4(text.substr(i + 8, 4)));
    if (paired) {
      i += 11;
      continue;
    }
    out.append(text.substr(copied, i - copied));
    out += static_cast<char>(0xe0 | (unit >> 12));
    out += static_cast<char>(0x80 | ((unit >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (unit & 0x3f));
    copied = i + 6;
    i += 5;
    changed = true;
  }
  if (!changed) return std::nullopt;
  out.append(text.substr(copied));
  return out;
}

// Escapes WTF-8 surrogates in JSON text as \uXXXX; they can only be inside strings.
void escape_wtf8_surrogates(std::string& json, std::size_t from) {
  auto at = json.find('\xed', from);
  if (at == std::string::npos) return;
  std::string out = json.substr(0, at);
  for (std::size_t i = at; i < json.size(); ++i) {
    auto b1 = static_cast<unsigned char>(json[i]);
    // A surrogate is ED A0..BF and a continuation byte; anything else is copied as it is.
    if (b1 == 0xed && i + 2 < json.size() &&
        (static_cast<unsigned char>(json[i + 1]) & 0xe0) == 0xa0 &&
        (static_cast<unsigned char>(json[i + 2]) & 0xc0) == 0x80) {
      int unit = 0xd000 | ((static_cast<unsigned char>(json[i + 1]) & 0x3f) << 6) |
                 (static_cast<unsigned char>(json[i + 2]) & 0x3f);
      out += fmt::format("\\u{:04x}", unit);
      i += 2;
    } else {
      out += json[i];
    }
  }
  json = std::move(out);
}

using writer_t = rapidjson::Writer<rapidjson::StringBuffer>;

void write(writer_t& w, const value& v, std::vector<std::string>* attachments) {
  switch (v.type()) {
    case value::kind::null:
      w.Null();
      return;
    case value::kind::boolean:
      w.Bool(v.as_bool());
      return;
    case value::kind::integer:
      w.Int64(v.as_int());
      return;
    case value::kind::number: {
      double d = v.as_double();
      // JSON.stringify writes NaN and Infinity as null, and integral numbers without ".0".
      if (!std::isfinite(d)) return (void)w.Null();
      if (std::trunc(d) == d && std::fabs(d) < 9.0e15)
        return (void)w.Int64(static_cast<std::int64_t>(d));
      w.Double(d);
      return;
    }
    case value::kind::string: {
      const auto& s = v.as_string();
      w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
      return;
    }
    case value::kind::binary:
      if (attachments) {
        w.StartObject();
        w.Key("_placeholder");
        w.Bool(true);
        w.Key("num");
        w.Uint64(attachments->size());
        w.EndObject();
        attachments->push_back(v.as_binary());
      } else {
        w.StartObject();
        w.Key("type");
        w.String("Buffer");
        w.Key("data");
        w.StartArray();
        for (unsigned char c : v.as_binary()) w.Uint(c);
        w.EndArray();
        w.EndObject();
      }
      return;
    case value::kind::array:
      w.StartArray();
      for (const auto& item : v.as_array()) write(w, item, attachments);
      w.EndArray();
      return;
    case value::kind::object:
      w.StartObject();
      for (const auto& [key, item] : v.as_object()) {
        w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        write(w, item, attachments);
      }
      w.EndObject();
      return;
  }
}

}  // namespace

std::optional<value> parse_json(std::string_view text, std::size_t max_depth) {
  auto rewritten = lone_surrogates_to_wtf8(text);
  if (rewritten) text = *rewritten;
  tree_builder builder(max_depth);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  if (reader.Parse<flags>(stream, builder).IsError()) return std::nullopt;
  return builder.take();
}

void append_json(std::string& out, const value& v, std::vector<std::string>* attachments) {
  rapidjson::StringBuffer buffer;
  writer_t w(buffer);
  write(w, v, attachments);
  auto start = out.size();
  out.append(buffer.GetString(), buffer.GetSize());
  escape_wtf8_surrogates(out, start);
}

std::string to_json(const value& v) {
  std::string out;
  append_json(out, v, nullptr);
  return out;
}

}  // namespace socketio::detail
