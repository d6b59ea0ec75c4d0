#pragma once
/// `string_pairs`: name–value pairs of text, in order, kept in one buffer. A session keeps its
/// request's headers and query for life; as two `std::string`s per pair they cost several times
/// their length, which matters with tens of thousands of idle connections.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace engineio {

class string_pairs {
 public:
  using value_type = std::pair<std::string_view, std::string_view>;

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = string_pairs::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    iterator() = default;
    iterator(const string_pairs* pairs, std::size_t index) : pairs_(pairs), index_(index) {}
    value_type operator*() const { return (*pairs_)[index_]; }
    iterator& operator++() {
      ++index_;
      return *this;
    }
    iterator operator++(int) {
      auto old = *this;
      ++index_;
      return old;
    }
    bool operator==(const iterator& other) const = default;

   private:
    const string_pairs* pairs_ = nullptr;
    std::size_t index_ = 0;
  };

  string_pairs() = default;
  string_pairs(std::initializer_list<value_type> pairs) {
    for (const auto& [name, value] : pairs) emplace_back(name, value);
  }

  /// Room for `count` pairs of `text_bytes` in all, so that a list built once is sized exactly.
  void reserve(std::size_t count, std::size_t text_bytes) {
    ends_.reserve(2 * count);
    text_.reserve(text_bytes);
  }

  void emplace_back(std::string_view name, std::string_view value) {
    text_.append(name);
    ends_.push_back(static_cast<std::uint32_t>(text_.size()));
    text_.append(value);
    ends_.push_back(static_cast<std::uint32_t>(text_.size()));
  }

  std::size_t size() const noexcept { return ends_.size() / 2; }
  bool empty() const noexcept { return ends_.empty(); }

  value_type operator[](std::size_t i) const {
    std::size_t name_start = i == 0 ? 0 : ends_[2 * i - 1];
    std::size_t name_end = ends_[2 * i];
    std::string_view text(text_);
    return {text.substr(name_start, name_end - name_start),
            text.substr(name_end, ends_[2 * i + 1] - name_end)};
  }

  /// The value of the first pair named `name`.
  std::optional<std::string_view> first(std::string_view name) const {
    for (std::size_t i = 0; i < size(); ++i) {
      if (auto [n, v] = (*this)[i]; n == name) return v;
    }
    return std::nullopt;
  }
  /// The value of the last pair named `name`.
  std::optional<std::string_view> last(std::string_view name) const {
    for (auto i = size(); i-- > 0;) {
      if (auto [n, v] = (*this)[i]; n == name) return v;
    }
    return std::nullopt;
  }

  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

  bool operator==(const string_pairs& other) const = default;

 private:
  std::string text_;                 // names and values back to back
  std::vector<std::uint32_t> ends_;  // where each name, then its value, ends in text_
};

}  // namespace engineio
