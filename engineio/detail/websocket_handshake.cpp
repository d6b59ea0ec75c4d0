#include "engineio/detail/websocket_handshake.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace engineio::detail {
namespace {

bool is_tchar(char c) {
  constexpr std::string_view others = "!#$%&'*+-.^_`|~";
  auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         others.find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// `s` split at each `separator`, each piece trimmed of the spaces around it (HTTP parsers
// already trim the ends of a header value).
std::vector<std::string_view> split_list(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  for (std::size_t pos = 0;;) {
    auto end = s.find(separator, pos);
    out.push_back(trim(s.substr(pos, end == std::string_view::npos ? end : end - pos)));
    if (end == std::string_view::npos) return out;
    pos = end + 1;
  }
}

// ws's key check: 16 bytes in base64.
bool valid_key(std::string_view key) {
  return key.size() == 24 && key.substr(22) == "==" &&
         std::all_of(key.begin(), key.begin() + 22, [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/';
         });
}

// A list of distinct tokens.
bool valid_subprotocols(std::string_view header) {
  auto items = split_list(header, ',');
  for (auto it = items.begin(); it != items.end(); ++it) {
    if (!is_token(*it) || std::find(items.begin(), it, *it) != it) return false;
  }
  return true;
}

// A parameter value: a token, or a token in quotes.
std::optional<std::string_view> param_value(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (!is_token(v)) return std::nullopt;
  return v;
}

std::optional<int> window_bits(std::string_view v) {
  int bits = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), bits);
  if (ec != std::errc{} || end != v.data() + v.size() || bits < 8 || bits > 15) return std::nullopt;
  return bits;
}

// What a permessage-deflate offer asks of the windows: absent, named without a value (the
// client's own window only), or a size.
struct window_request {
  bool named = false;
  std::optional<int> bits{};
};

struct deflate_offer {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  window_request server{};
  window_request client{};
};

// One permessage-deflate parameter as ws accepts it, recorded in `offer`; `value` is empty when
// none was given.
bool read_deflate_param(std::string_view name, std::optional<std::string_view> value,
                        deflate_offer& offer) {
  if (name == "client_no_context_takeover" || name == "server_no_context_takeover") {
    (name.front() == 'c' ? offer.client_no_context_takeover : offer.server_no_context_takeover) =
        true;
    return !value;
  }
  auto read_window = [&](window_request& window, bool value_required) {
    window.named = true;
    if (!value) return !value_required;
    window.bits = window_bits(*value);
    return window.bits.has_value();
  };
  if (name == "client_max_window_bits") return read_window(offer.client, false);
  if (name == "server_max_window_bits") return read_window(offer.server, true);
  return false;
}

// ws's acceptAsServer, with 15 bits as "not configured": an offer is refused when it asks for a
// smaller server window than configured, or, with a client window configured, does not let the
// server choose it or wants a smaller one.
bool acceptable(const deflate_offer& offer, const per_message_deflate_options& opts) {
  if (opts.server_max_window_bits < 15 && offer.server.bits &&
      *offer.server.bits < opts.server_max_window_bits) {
    return false;
  }
  if (opts.client_max_window_bits < 15) {
    if (!offer.client.named) return false;
    if (offer.client.bits && *offer.client.bits < opts.client_max_window_bits) return false;
  }
  return true;
}

// The permessage-deflate offers of an extension list (`name; param; param=value, ...`), or
// nullopt when ws would refuse the list: a malformed one, or a permessage-deflate parameter
// that is unknown, repeated or out of range. Names are case-sensitive, as in ws.
std::optional<std::vector<deflate_offer>> deflate_offers(std::string_view header) {
  std::vector<deflate_offer> offers;
  for (auto offer : split_list(header, ',')) {
    auto parts = split_list(offer, ';');
    if (!is_token(parts.front())) return std::nullopt;
    bool deflate = parts.front() == "permessage-deflate";
    deflate_offer asked;
    std::vector<std::string_view> seen;
    for (auto it = parts.begin() + 1; it != parts.end(); ++it) {
      auto equals = it->find('=');
      auto name = it->substr(0, equals);
      std::optional<std::string_view> value;
      if (equals != std::string_view::npos) {
        value = param_value(it->substr(equals + 1));
        if (!value) return std::nullopt;
      }
      if (!is_token(name)) return std::nullopt;
      if (!deflate) continue;
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) return std::nullopt;
      if (!read_deflate_param(name, value, asked)) return std::nullopt;
      seen.push_back(name);
    }
    if (deflate) offers.push_back(asked);
  }
  return offers;
}

// ws checks the offers when it may negotiate: a well-formed list with, when it offers
// permessage-deflate, one offer ws can accept.
bool valid_extensions(std::string_view header, const per_message_deflate_options& opts) {
  auto offers = deflate_offers(header);
  if (!offers) return false;
  return offers->empty() || std::any_of(offers->begin(), offers->end(),
                                        [&](const auto& offer) { return acceptable(offer, opts); });
}

}  // namespace

bool is_upgrade_request(const request& req) {
  if (req.find(http::field::upgrade) == req.end()) return false;
  return http::token_list(req[http::field::connection]).exists("upgrade");
}

response upgrade_refusal(std::string_view message, http::status status) {
  response res{status, 11};
  res.set(http::field::connection, "close");
  res.set(http::field::content_type, "text/html");
  res.body() = std::string(message);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

std::optional<response> websocket_refusal(
    const request& req, const std::optional<per_message_deflate_options>& deflate) {
  if (req.method() != http::verb::get) {
    return upgrade_refusal("Invalid HTTP method", http::status::method_not_allowed);
  }
  if (req.version() != 11) {  // ws does not look; Beast, like RFC 6455, wants HTTP/1.1
    return upgrade_refusal("Invalid HTTP version");
  }
  if (!beast::iequals(req[http::field::upgrade], "websocket")) {
    return upgrade_refusal("Invalid Upgrade header");
  }
  if (!valid_key(req[http::field::sec_websocket_key])) {
    return upgrade_refusal("Missing or invalid Sec-WebSocket-Key header");
  }
  // ws also takes version 8 (a 2011 draft); Beast speaks only 13, and says so.
  if (req[http::field::sec_websocket_version] != "13") {
    auto res = upgrade_refusal("Missing or invalid Sec-WebSocket-Version header");
    res.set(http::field::sec_websocket_version, "13");
    return res;
  }
  auto protocols = req.find(http::field::sec_websocket_protocol);
  if (protocols != req.end() && !valid_subprotocols(protocols->value())) {
    return upgrade_refusal("Invalid Sec-WebSocket-Protocol header");
  }
  auto extensions = req.find(http::field::sec_websocket_extensions);
  if (deflate && extensions != req.end() && !valid_extensions(extensions->value(), *deflate)) {
    return upgrade_refusal("Invalid or unacceptable Sec-WebSocket-Extensions header");
  }
  return std::nullopt;
}

std::optional<std::string> deflate_offer_to_accept(const request& req,
                                                   const per_message_deflate_options& opts) {
  auto offers = deflate_offers(req[http::field::sec_websocket_extensions]);
  if (!offers) return std::nullopt;
  auto chosen = std::find_if(offers->begin(), offers->end(),
                             [&](const auto& offer) { return acceptable(offer, opts); });
  // Beast would answer a server window of 8 with 9, more than the client allows.
  if (chosen == offers->end() || chosen->server.bits == 8) return std::nullopt;
  std::string out = "permessage-deflate";
  if (chosen->server_no_context_takeover) out += "; server_no_context_takeover";
  if (chosen->client_no_context_takeover) out += "; client_no_context_takeover";
  // Appended piecewise: `"literal" + std::string&&` trips GCC 12's -Wrestrict at -O3.
  if (chosen->server.bits) {
    out += "; server_max_window_bits=";
    out += std::to_string(*chosen->server.bits);
  }
  if (chosen->client.named) out += "; client_max_window_bits";
  if (chosen->client.bits) {
    out += '=';
    out += std::to_string(*chosen->client.bits);
  }
  return out;
}

std::string_view first_subprotocol(const request& req) {
  auto list = req[http::field::sec_websocket_protocol];
  return trim(list.substr(0, list.find(',')));
}

}  // namespace engineio::detail
