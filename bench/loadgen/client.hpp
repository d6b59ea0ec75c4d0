#pragma once
// A minimal Socket.IO v5 / Engine.IO v4 client for load generation, on the namespace "/":
// over WebSocket (plain or TLS), or over long-polling (one connection for GETs, one for POSTs,
// as browsers).
// It answers pings, joins "/", and hands events and acks to the scenario.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class client;

/// What a scenario hears from its clients (all on the generator's one thread).
class client_events {
 public:
  virtual ~client_events() = default;
  virtual void on_connected(client&) {}
  /// An EVENT packet's JSON array, e.g. `["bcast",123,4]`.
  virtual void on_event(client&, std::string_view) {}
  virtual void on_ack(client&, std::uint64_t /*id*/) {}
  /// The connection ended (or never opened); `error` tells an orderly close apart.
  virtual void on_closed(client&, bool /*error*/) {}
};

class client {
 public:
  virtual ~client() = default;
  virtual void start() = 0;
  /// Sends one Socket.IO packet, e.g. `42["echo","x"]` or `421["echo","x"]`.
  virtual void send(std::string packet) = 0;
  virtual void close() = 0;
  std::size_t index = 0;
};

struct client_config {
  tcp::endpoint server;
  /// Source address to bind (127.0.0.x spreads more than 28k connections over loopback).
  asio::ip::address local;
  std::string path = "/socket.io/";
  /// WebSocket clients speak TLS (wss) with this context when set: a full handshake for each
  /// connection, as a client without a session cache does.
  std::shared_ptr<asio::ssl::context> tls;
};

std::shared_ptr<client> make_websocket_client(asio::io_context& io, client_config cfg,
                                              client_events& events);
std::shared_ptr<client> make_polling_client(asio::io_context& io, client_config cfg,
                                            client_events& events);

}  // namespace bench
