#include "socketio/detail/json.hpp"

#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <limits>

namespace socketio::detail {
namespace {

// Builds the value tree from SAX events with an explicit stack: no recursion on input depth.
class tree_builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, tree_builder> {
 public:
  explicit tree_builder(std::size_t max_depth) : max_depth_(max_depth) {}

  bool Null() { return add(value()); }
  bool Bool(bool b) { return add(value(b)); }
  bool Int(int i) { return add(value(i)); }
  bool Uint(unsigned u) { return add(value(u)); }
  bool Int64(std::int64_t i) { return add(value(i)); }
  bool Uint64(std::uint64_t u) {
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return add(value(static_cast<double>(u)));
    }
    return add(value(static_cast<std::int64_t>(u)));
  }
  bool Double(double d) { return add(value(d)); }
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
  tree_builder builder(max_depth);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;
  if (reader.Parse<flags>(stream, builder).IsError()) return std::nullopt;
  return builder.take();
}

void append_json(std::string& out, const value& v, std::vector<std::string>* attachments) {
  rapidjson::StringBuffer buffer;
  writer_t w(buffer);
  write(w, v, attachments);
  out.append(buffer.GetString(), buffer.GetSize());
}

std::string to_json(const value& v) {
  std::string out;
  append_json(out, v, nullptr);
  return out;
}

}  // namespace socketio::detail
