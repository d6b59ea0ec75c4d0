#include "engineio/request.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <string>

namespace engineio {
namespace {

std::optional<std::string_view> find_first(
    const std::vector<std::pair<std::string, std::string>>& list, std::string_view name) {
  auto it =
      std::find_if(list.begin(), list.end(), [&](const auto& kv) { return kv.first == name; });
  if (it == list.end()) return std::nullopt;
  return it->second;
}

}  // namespace

query_params decode_query(std::string_view query) {
  query_params out;
  std::string target = "/?";
  target += query;
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return out;
  boost::urls::encoding_opts opt;
  opt.space_as_plus = true;
  for (auto param : url->params(opt))
    out.emplace_back(param.key, param.has_value ? param.value : std::string{});
  return out;
}

std::optional<std::string_view> request_info::header(std::string_view name) const {
  return find_first(headers, name);
}

std::optional<std::string_view> request_info::query_param(std::string_view name) const {
  // A repeated key keeps its last value, as in Node's handshake query.
  for (auto it = query.rbegin(); it != query.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

}  // namespace engineio
