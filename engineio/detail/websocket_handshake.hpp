#pragma once
// The checks Node's `ws` makes on an upgrade request before it switches protocols, so a client
// that gets an upgrade wrong gets the status and text Node gives, not Beast's own.

#include <optional>
#include <string>
#include <string_view>

#include "engineio/detail/http.hpp"
#include "engineio/options.hpp"

namespace engineio::detail {

/// Whether Node's HTTP server would hand `req` to its upgrade listeners: it names an `Upgrade`
/// and has `upgrade` among its `Connection` tokens, whatever the method or the protocol named.
bool is_upgrade_request(const request& req);

/// Node's abortUpgrade/abortHandshake answer: `status`, `message` as text/html, then the
/// connection is closed.
response upgrade_refusal(std::string_view message, http::status status = http::status::bad_request);

/// The answer `ws` gives a request it will not upgrade (bad method, Upgrade, key, version,
/// subprotocol list, or with `deflate`, permessage-deflate offers it cannot accept), or nothing
/// when it would upgrade.
std::optional<response> websocket_refusal(
    const request& req, const std::optional<per_message_deflate_options>& deflate);

/// The one permessage-deflate offer ws would negotiate, written plainly, for Beast (which reads
/// only the first offer, names in any case, and numbers with leading zeros); nothing when none
/// should be negotiated.
std::optional<std::string> deflate_offer_to_accept(const request& req,
                                                   const per_message_deflate_options& opts);

/// The subprotocol `ws` answers with: the first one offered (empty when none).
std::string_view first_subprotocol(const request& req);

}  // namespace engineio::detail
