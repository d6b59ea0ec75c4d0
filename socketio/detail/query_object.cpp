#include "socketio/detail/query_object.hpp"

#include <string_view>
#include <unordered_map>

namespace socketio::detail {

value query_object(const engineio::query_params& params) {
  object out;
  // Where each name is in `out`: a v2 client's namespace query is attacker-sized, so no scan.
  std::unordered_map<std::string_view, std::size_t> index;
  for (auto [name, v] : params) {
    auto [it, added] = index.try_emplace(name, out.size());
    if (added) {
      out.emplace_back(name, std::string(v));
    } else {
      out[it->second].second = std::string(v);  // the last one wins, as in Node
    }
  }
  return out;
}

}  // namespace socketio::detail
