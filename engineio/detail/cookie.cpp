#include "engineio/detail/cookie.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace engineio::detail {
namespace {

// Date#toUTCString, as the cookie package writes Expires; by hand, since strftime follows the
// locale.
std::string http_date(std::chrono::system_clock::time_point when) {
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char out[32];
  std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", days.at(utc.tm_wday),
                utc.tm_mday, months.at(utc.tm_mon), utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return out;
}

// The cookie package's checks: a token for the name, a path of printable characters but ';' and
// '<', a domain of RFC 1123 labels (a leading dot allowed).
bool cookie_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7f &&
           std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) ==
               std::string_view::npos;
  });
}

bool path_value(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return c >= 0x20 && c < 0x7f && c != ';' && c != '<'; });
}

bool domain_value(std::string_view s) {
  if (s.starts_with('.')) s.remove_prefix(1);
  auto alnum = [](unsigned char c) { return std::isalnum(c) != 0; };
  for (;;) {
    auto label = s.substr(0, s.find('.'));
    if (label.empty() || label.size() > 63 || !alnum(label.front()) || !alnum(label.back()) ||
        !std::all_of(label.begin(), label.end(),
                     [&](unsigned char c) { return alnum(c) || c == '-'; }))
      return false;
    if (label.size() == s.size()) return true;
    s.remove_prefix(label.size() + 1);
  }
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
}

}  // namespace

void check_cookie(const cookie_options& cookie) {
  auto refuse = [](const char* what) {
    throw std::invalid_argument(std::string("cookie option ") + what + " is invalid");
  };
  if (!cookie_token(cookie.name)) refuse("name");
  if (!path_value(cookie.path)) refuse("path");
  if (!cookie.domain.empty() && !domain_value(cookie.domain)) refuse("domain");
  if (!one_of(cookie.same_site, {"", "Strict", "Lax", "None"})) refuse("same_site");
  if (!one_of(cookie.priority, {"", "Low", "Medium", "High"})) refuse("priority");
}

std::string serialize_cookie(const cookie_options& cookie, std::string_view sid) {
  std::string out = cookie.name + "=" + std::string(sid);
  if (cookie.max_age) out += "; Max-Age=" + std::to_string(cookie.max_age->count());
  if (!cookie.domain.empty()) out += "; Domain=" + cookie.domain;
  if (!cookie.path.empty()) out += "; Path=" + cookie.path;
  if (cookie.expires) out += "; Expires=" + http_date(*cookie.expires);
  if (cookie.http_only) out += "; HttpOnly";
  if (cookie.secure) out += "; Secure";
  if (cookie.partitioned) out += "; Partitioned";
  if (!cookie.priority.empty()) out += "; Priority=" + cookie.priority;
  if (!cookie.same_site.empty()) out += "; SameSite=" + cookie.same_site;
  return out;
}

}  // namespace engineio::detail
