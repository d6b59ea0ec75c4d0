// The upgrade-request checks Node's ws makes, read by our own code before Beast accepts.

#include <gtest/gtest.h>

#include "engineio/detail/websocket_handshake.hpp"

using namespace engineio::detail;

namespace {

request upgrade(std::initializer_list<std::pair<http::field, std::string_view>> changes = {}) {
  request req{http::verb::get, "/engine.io/?EIO=4&transport=websocket", 11};
  req.set(http::field::connection, "keep-alive, Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  for (auto [field, value] : changes) {
    if (value.empty()) {
      req.erase(field);
    } else {
      req.set(field, value);
    }
  }
  return req;
}

const std::optional<engineio::per_message_deflate_options> deflate_on{std::in_place};
const std::optional<engineio::per_message_deflate_options> deflate_off{};

std::string refusal(const request& req,
                    const std::optional<engineio::per_message_deflate_options>& deflate = {}) {
  auto res = websocket_refusal(req, deflate);
  return res ? res->body() : "";
}

}  // namespace

TEST(WebsocketHandshake, UpgradeIsWhatNodeHandsToUpgradeListeners) {
  EXPECT_TRUE(is_upgrade_request(upgrade()));
  EXPECT_TRUE(is_upgrade_request(upgrade({{http::field::upgrade, "h2c"}})));
  EXPECT_FALSE(is_upgrade_request(upgrade({{http::field::connection, "keep-alive"}})));
  EXPECT_FALSE(is_upgrade_request(upgrade({{http::field::upgrade, ""}})));
}

TEST(WebsocketHandshake, AWellFormedRequestPasses) {
  EXPECT_FALSE(websocket_refusal(upgrade(), deflate_on));
  EXPECT_FALSE(
      websocket_refusal(upgrade({{http::field::sec_websocket_protocol, "a, b,c"}}), deflate_on));
}

TEST(WebsocketHandshake, RefusalsCarryWsTextsAndClose) {
  auto res = websocket_refusal(upgrade({{http::field::sec_websocket_version, "8"}}), deflate_off);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::bad_request);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_EQ((*res)[http::field::content_type], "text/html");
  EXPECT_EQ((*res)[http::field::sec_websocket_version], "13");
  EXPECT_EQ(res->body(), "Missing or invalid Sec-WebSocket-Version header");

  request post = upgrade();
  post.method(http::verb::post);
  EXPECT_EQ(websocket_refusal(post, deflate_off)->result(), http::status::method_not_allowed);
  EXPECT_EQ(refusal(upgrade({{http::field::upgrade, "h2c"}})), "Invalid Upgrade header");
  request old = upgrade();
  old.version(10);
  EXPECT_EQ(refusal(old), "Invalid HTTP version");
}

TEST(WebsocketHandshake, KeyMustBeSixteenBytesOfBase64) {
  const std::string bad = "Missing or invalid Sec-WebSocket-Key header";
  EXPECT_EQ(refusal(upgrade({{http::field::sec_websocket_key, ""}})), bad);
  EXPECT_EQ(refusal(upgrade({{http::field::sec_websocket_key, "abc"}})), bad);
  EXPECT_EQ(refusal(upgrade({{http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ=*"}})), bad);
  EXPECT_EQ(refusal(upgrade({{http::field::sec_websocket_key, "dGhlIHNhbXBs.SBub25jZQ=="}})), bad);
}

TEST(WebsocketHandshake, SubprotocolsAreDistinctTokens) {
  const std::string bad = "Invalid Sec-WebSocket-Protocol header";
  for (std::string_view list : {"a,", ",a", "a,,b", "a b", "a,a", "a;b", "\"a\""}) {
    EXPECT_EQ(refusal(upgrade({{http::field::sec_websocket_protocol, list}})), bad) << list;
  }
  EXPECT_EQ(first_subprotocol(upgrade({{http::field::sec_websocket_protocol, "chat , b"}})),
            "chat");
  EXPECT_EQ(first_subprotocol(upgrade()), "");
}

TEST(WebsocketHandshake, DeflateOffersAreCheckedOnlyWhenDeflateIsOn) {
  const std::string bad = "Invalid or unacceptable Sec-WebSocket-Extensions header";
  auto offer = [](std::string_view e) {
    return upgrade({{http::field::sec_websocket_extensions, e}});
  };
  for (std::string_view e :
       {"permessage-deflate; foo", "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; client_max_window_bits=1x",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate,", "x y", "x; a=\"b c\"", "x; =1"}) {
    EXPECT_EQ(refusal(offer(e), deflate_on), bad) << e;
    EXPECT_EQ(refusal(offer(e), deflate_off), "") << e;
  }
  for (std::string_view e :
       {"permessage-deflate", "permessage-deflate; client_max_window_bits",
        "permessage-deflate; client_max_window_bits=\"10\"; server_no_context_takeover",
        "x-foo; bar=1, permessage-deflate; server_max_window_bits=15"}) {
    EXPECT_EQ(refusal(offer(e), deflate_on), "") << e;
  }
}

// ws's acceptAsServer with window sizes configured: some offer must leave room for them.
TEST(WebsocketHandshake, DeflateOffersMustAllowTheConfiguredWindows) {
  const std::string bad = "Invalid or unacceptable Sec-WebSocket-Extensions header";
  auto offer = [](std::string_view e) {
    return upgrade({{http::field::sec_websocket_extensions, e}});
  };
  const std::optional<engineio::per_message_deflate_options> windows{
      engineio::per_message_deflate_options{.server_max_window_bits = 10,
                                            .client_max_window_bits = 11}};
  for (std::string_view e :
       {"permessage-deflate", "permessage-deflate; client_max_window_bits=10",
        "permessage-deflate; client_max_window_bits; server_max_window_bits=9",
        "permessage-deflate, permessage-deflate; server_no_context_takeover"}) {
    EXPECT_EQ(refusal(offer(e), windows), bad) << e;
  }
  for (std::string_view e :
       {"permessage-deflate; client_max_window_bits",
        "permessage-deflate; client_max_window_bits=11; server_max_window_bits=10",
        "permessage-deflate, permessage-deflate; client_max_window_bits=15", "x-other"}) {
    EXPECT_EQ(refusal(offer(e), windows), "") << e;
  }
}

// Beast negotiates only the first offer it finds, in any case, and reads leading zeros: it is
// handed the one ws would pick, written plainly.
TEST(WebsocketHandshake, TheOfferWsWouldNegotiateIsHandedToBeast) {
  auto pick = [](std::string_view e, const engineio::per_message_deflate_options& opts = {}) {
    auto offer =
        deflate_offer_to_accept(upgrade({{http::field::sec_websocket_extensions, e}}), opts);
    return offer.value_or("none");
  };
  const engineio::per_message_deflate_options windows{.server_max_window_bits = 10,
                                                      .client_max_window_bits = 11};
  EXPECT_EQ(pick("permessage-deflate, permessage-deflate; client_max_window_bits=15", windows),
            "permessage-deflate; client_max_window_bits=15");
  EXPECT_EQ(pick("permessage-deflate; server_max_window_bits=9, permessage-deflate",
                 {.server_max_window_bits = 10}),
            "permessage-deflate");
  EXPECT_EQ(pick("PERMESSAGE-DEFLATE; server_max_window_bits=9"), "none");
  EXPECT_EQ(pick("x-foo, permessage-deflate; client_max_window_bits=09"),
            "permessage-deflate; client_max_window_bits=9");
  EXPECT_EQ(pick("permessage-deflate; server_max_window_bits=8"), "none");
  EXPECT_EQ(pick("permessage-deflate; client_no_context_takeover; server_no_context_takeover; "
                 "client_max_window_bits"),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "client_max_window_bits");
  EXPECT_EQ(pick("permessage-deflate; foo"), "none");
}
