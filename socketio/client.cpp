#include "socketio/client.hpp"

#include <fmt/chrono.h>

#include <chrono>
#include <ctime>

#include "engineio/log.hpp"
#include "engineio/sid.hpp"
#include "socketio/detail/query_object.hpp"
#include "socketio/detail/session_store.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"

namespace socketio {
namespace {

// Date#toString() in UTC, as Node prints it on a machine in UTC.
std::string date_string(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:%a %b %d %Y %H:%M:%S} GMT+0000 (Coordinated Universal Time)", tm);
}

using detail::query_object;

}  // namespace

client::client(server& owner, engineio::session& session)
    : server_(owner),
      session_(session),
      decoder_(owner.options().parser, owner.options().max_attachments) {}

parser_kind client::parser() const noexcept {
  return server_.options().parser;
}

boost::asio::any_io_executor client::executor() {
  return server_.engine().executor(shard());
}

void client::start() {
  connect_timer_ =
      std::make_unique<boost::asio::steady_timer>(executor(), server_.options().connect_timeout);
  connect_timer_->async_wait([self = weak_from_this()](boost::system::error_code ec) {
    auto c = self.lock();
    if (ec || !c || !c->sockets_.empty()) return;
    c->close();  // no namespace joined in time
  });
  if (protocol() == engineio::protocol_version::v3) connect("/", object{});
}

void client::receive_text(std::string_view text) {
  decoded(decoder_.add_text(text));
}

void client::receive_binary(std::string_view bytes) {
  decoded(decoder_.add_binary(bytes));
}

void client::decoded(decoder::status status) {
  switch (status) {
    case decoder::status::complete:
      return dispatch(decoder_.take());
    case decoder::status::waiting:
      return;
    case decoder::status::error:
      // Node's Client.onerror: every socket's error listeners hear why, then the connection
      // closes.
      for (auto& [name, s] : std::map(sockets_)) s->report_error(decoder_.error(), {});
      return session_.close();
  }
}

void client::dispatch(packet p) {
  std::string name = p.nsp;
  value auth = p.data && p.data->is_object() ? *p.data : value(object{});
  if (protocol() == engineio::protocol_version::v3) {
    // Socket.IO v2 clients put the namespace's query after the name: "/admin?token=x".
    auto query_at = name.find('?');
    if (query_at != std::string::npos) {
      auth = query_object(engineio::decode_query(std::string_view(name).substr(query_at + 1)));
      name.resize(query_at);
    } else {
      auth = object{};
    }
  }
  auto it = sockets_.find(name);
  // Node would start a second socket for a CONNECT while one runs the middlewares; we refuse it
  // as Node refuses a CONNECT for a connected namespace.
  if (it == sockets_.end() && p.type == packet_type::connect && !pending_.contains(name)) {
    return connect(name, std::move(auth));
  }
  if (it != sockets_.end() && p.type != packet_type::connect &&
      p.type != packet_type::connect_error) {
    auto s = it->second;
    return s->receive(std::move(p), {});
  }
  close();  // Node: "invalid state"
}

struct handshake client::make_handshake(value auth, std::int64_t issued) const {
  const auto& req = session_.request();
  struct handshake hs;
  object headers;
  for (auto [name, v] : req.headers) headers.emplace_back(name, std::string(v));
  hs.headers = std::move(headers);
  hs.time = date_string(std::chrono::system_clock::time_point(std::chrono::milliseconds(issued)));
  hs.address = req.remote_address;
  hs.xdomain = req.header("origin").has_value();
  hs.secure = req.secure;
  hs.issued = issued;
  hs.url = req.url;
  hs.query = query_object(req.query);
  hs.auth = std::move(auth);
  return hs;
}

void client::refuse_connect(const std::string& name, const char* message) {
  write(encode(
      packet{packet_type::connect_error, name, std::nullopt, value(object{{"message", message}})},
      parser()));
}

void client::connect(const std::string& name, value auth) {
  if (sockets_.size() + pending_.size() >= server_.options().max_namespaces_per_client) {
    return refuse_connect(name, "Too many namespaces");
  }
  pending_.insert(name);
  server_.enter(
      name, auth, shard(),
      [self = weak_from_this(), name, auth](const std::shared_ptr<namespace_>& nsp) mutable {
        auto c = self.lock();
        if (c) return c->connect_to(name, nsp, std::move(auth));
        if (nsp) nsp->owner().leave(*nsp, false);  // the client went meanwhile
      });
}

void client::connect_to(const std::string& name, const std::shared_ptr<namespace_>& nsp,
                        value auth) {
  if (!nsp || closed_) {
    pending_.erase(name);
    if (nsp) server_.leave(*nsp, false);
    if (!nsp && !closed_) refuse_connect(name, "Invalid namespace");
    return;
  }
  if (auto* store = nsp->recovery();
      store && auth["pid"].is_string() && auth["offset"].is_string()) {
    if (auto previous = store->restore(auth["pid"].as_string(), auth["offset"].as_string())) {
      auto s = std::make_shared<socket>(*nsp, *this, std::move(auth), std::move(*previous));
      if (server_.options().connection_state_recovery->skip_middlewares) {
        return finish_connect(s, std::nullopt);
      }
      return run_middleware(s, nsp->middlewares(), 0);
    }
  }
  // v2 clients know their socket by "<nsp>#<engine id>"; v5 ids are fresh and unrelated.
  std::string id = protocol() == engineio::protocol_version::v3
                       ? (name == "/" ? session_.id() : name + "#" + session_.id())
                       : engineio::generate_sid(shard());
  auto s = std::make_shared<socket>(*nsp, *this, std::move(id), std::move(auth));
  run_middleware(s, nsp->middlewares(), 0);
}

void client::run_middleware(const std::shared_ptr<socket>& s,
                            const namespace_::middleware_list& middlewares, std::size_t index) {
  if (index == middlewares->size()) return finish_connect(s, std::nullopt);
  // `next` may be called later and from any thread, even after the server is gone: it comes
  // back to this shard, while there is one.
  std::weak_ptr<client> self = weak_from_this();
  next go([self, s, middlewares, index,
           home = server_.engine().handle(shard())](std::optional<connect_error> error) {
    home.dispatch([self, s, middlewares, index, error = std::move(error)]() mutable {
      auto c = self.lock();
      if (!c) return;
      if (error) return c->finish_connect(s, std::move(error));
      c->run_middleware(s, middlewares, index + 1);
    });
  });
  try {
    (*middlewares)[index](*s, std::move(go));
  } catch (const std::exception& e) {
    finish_connect(s, connect_error{e.what()});
  } catch (...) {
    engineio::log_warning("middleware threw");
    finish_connect(s, connect_error{"middleware error"});
  }
}

void client::finish_connect(const std::shared_ptr<socket>& s, std::optional<connect_error> error) {
  const auto& name = s->nsp().name();
  pending_.erase(name);
  if (closed_ || session_.ready_state() != engineio::session::state::open) return;
  if (error) {
    // v5 sends {message, data}; v2 clients expect the data, or else the message.
    value data =
        protocol() == engineio::protocol_version::v3
            ? (error->data ? *error->data : value(error->message))
            : value(error->data ? object{{"message", error->message}, {"data", *error->data}}
                                : object{{"message", error->message}});
    return write(
        encode(packet{packet_type::connect_error, name, std::nullopt, std::move(data)}, parser()));
  }
  sockets_[name] = s;      // the handlers below still use `s`
  connect_timer_.reset();  // cancels the wait
  s->complete_connect({});
  auto handlers = s->nsp().connection_handlers();  // a handler may add handlers
  for (const auto& handler : *handlers) {
    if (!s->connected()) break;
    engineio::guarded("connection handler", [&] { handler.fn(*s); });
  }
}

void client::write(const encoded_packet& p, bool volatile_, bool compress) {
  if (closed_) return;
  if (volatile_ && !session_.writable()) return;
  for (auto frame : p.frames) {
    frame.compress = compress;
    session_.send(std::move(frame));
  }
}

void client::remove(socket& s) {
  auto it = sockets_.find(s.nsp().name());
  if (it != sockets_.end() && it->second.get() == &s) sockets_.erase(it);
}

void client::disconnect_all() {
  auto self = shared_from_this();  // see close()
  auto sockets = sockets_;
  for (auto& [name, s] : sockets) s->disconnect();
  close();
}

void client::close() {
  if (closed_) return;
  // Closing the session can end it at once (WebSocket), and the session owns this client.
  auto self = shared_from_this();
  session_.close();
  finish(disconnect_reason::forced_server_close);
}

void client::notify_upgrade() {
  auto sockets = sockets_;
  for (auto& [name, s] : sockets) s->notify_upgrade({});
}

void client::engine_closed(engineio::close_reason reason) {
  finish(from_engine(reason));
}

void client::finish(disconnect_reason reason) {
  if (closed_) return;
  closed_ = true;
  connect_timer_.reset();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& [name, s] : sockets) s->finish(reason, {});
}

}  // namespace socketio
