#include "engineio/detail/cookie.hpp"

namespace engineio::detail {

std::string serialize_cookie(const cookie_options& cookie, std::string_view sid) {
  std::string out = cookie.name + "=" + std::string(sid);
  if (cookie.max_age) out += "; Max-Age=" + std::to_string(cookie.max_age->count());
  if (!cookie.path.empty()) out += "; Path=" + cookie.path;
  if (cookie.http_only) out += "; HttpOnly";
  if (cookie.secure) out += "; Secure";
  if (!cookie.same_site.empty()) out += "; SameSite=" + cookie.same_site;
  return out;
}

}  // namespace engineio::detail
