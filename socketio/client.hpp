#pragma once
/// One Engine.IO session seen from Socket.IO (Node's `Client`): decodes its packets and routes
/// them to the sockets it opened, one per namespace. Lives on the session's shard, owned by the
/// session.

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "engineio/session.hpp"
#include "socketio/namespace.hpp"
#include "socketio/packet.hpp"
#include "socketio/parser.hpp"
#include "socketio/socket.hpp"

namespace socketio {

class server;
class namespace_;

class client : public std::enable_shared_from_this<client> {
 public:
  client(server& owner, engineio::session& session);

  /// Arms the connect timeout; a v3 client is joined to "/" at once (it sends no CONNECT).
  void start();
  void receive_text(std::string_view text);
  void receive_binary(std::string_view bytes);
  void engine_closed(engineio::close_reason reason);
  void notify_upgrade();

  /// Queues an encoded packet; a volatile one is dropped when the transport is busy, and one
  /// without `compress` is sent uncompressed.
  void write(const encoded_packet& p, bool volatile_ = false, bool compress = true);
  /// Every socket leaves with a DISCONNECT, then the connection closes (`disconnect(true)`).
  void disconnect_all();
  void remove(socket& s);

  engineio::session& session() noexcept { return session_; }
  engineio::protocol_version protocol() const noexcept { return session_.protocol(); }
  unsigned shard() const noexcept { return session_.shard(); }
  boost::asio::any_io_executor executor();
  parser_kind parser() const noexcept;
  /// The handshake of a socket that connected at `issued` (ms since the epoch) with `auth`.
  struct handshake make_handshake(value auth, std::int64_t issued) const;

 private:
  void decoded(decoder::status status);
  void dispatch(packet p);
  void connect(const std::string& name, value auth);
  /// The CONNECT for `name` continues with the namespace it joins (null: none).
  void connect_to(const std::string& name, const std::shared_ptr<namespace_>& nsp, value auth);
  void refuse_connect(const std::string& name, const char* message);
  /// Runs `middlewares` (the namespace's when the CONNECT came) from `index` on.
  void run_middleware(const std::shared_ptr<socket>& s,
                      const namespace_::middleware_list& middlewares, std::size_t index);
  void finish_connect(const std::shared_ptr<socket>& s, std::optional<connect_error> error);
  void close();
  void finish(disconnect_reason reason);

  server& server_;
  engineio::session& session_;  // owns this client
  decoder decoder_;
  std::map<std::string, std::shared_ptr<socket>, std::less<>> sockets_;  // by namespace
  /// Namespaces whose CONNECT is in the middlewares: one at a time each, or a second socket
  /// would overwrite the first in `sockets_` while the first is in the rooms.
  std::set<std::string, std::less<>> pending_;
  /// Until the first namespace joins (Node's connectTimeout); gone after, as idle clients are many.
  std::unique_ptr<boost::asio::steady_timer> connect_timer_;
  bool closed_ = false;
};

}  // namespace socketio
