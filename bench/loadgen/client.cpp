#include "client.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <charconv>
#include <deque>

namespace bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// The Engine.IO packets of both transports: answer pings, join "/", report the rest.
template <typename Send>
void handle_packet(client& self, client_events& events, std::string_view p, Send&& send) {
  if (p.empty()) return;
  switch (p[0]) {
    case '0':
      return send("40");
    case '2':
      return send("3");
    case '1':
      return;
    case '4':
      break;
    default:
      return;
  }
  // A Socket.IO packet on "/": 0 CONNECT, 2 EVENT, 3 ACK (with its id).
  auto sio = p.substr(1);
  if (sio.empty()) return;
  if (sio[0] == '0') return events.on_connected(self);
  if (sio[0] == '2') return events.on_event(self, sio.substr(1));
  if (sio[0] == '3') {
    std::uint64_t id = 0;
    std::from_chars(sio.data() + 1, sio.data() + sio.size(), id);
    events.on_ack(self, id);
  }
}

void open_socket(tcp::socket& socket, const client_config& cfg) {
  socket.open(cfg.server.protocol());
  if (!cfg.local.is_unspecified()) socket.bind(tcp::endpoint(cfg.local, 0));
}

using plain_websocket = websocket::stream<beast::tcp_stream>;
using tls_websocket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

template <typename Stream>
class websocket_client final : public client,
                               public std::enable_shared_from_this<websocket_client<Stream>> {
 public:
  websocket_client(asio::io_context& io, client_config cfg, client_events& events)
      : ws_(make_stream(io, cfg)), cfg_(std::move(cfg)), events_(events) {}

  void start() override {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    try {
      open_socket(socket, cfg_);
    } catch (const std::exception&) {
      return fail(true);
    }
    socket.async_connect(cfg_.server, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail(true);
      if constexpr (std::is_same_v<Stream, tls_websocket>) {
        self->ws_.next_layer().async_handshake(asio::ssl::stream_base::client,
                                               [self](beast::error_code ec) {
                                                 if (ec) return self->fail(true);
                                                 self->upgrade();
                                               });
      } else {
        self->upgrade();
      }
    });
  }

  void send(std::string packet) override { write("4" + packet); }

  void close() override {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  static Stream make_stream(asio::io_context& io, const client_config& cfg) {
    if constexpr (std::is_same_v<Stream, tls_websocket>) {
      return Stream(io, *cfg.tls);
    } else {
      return Stream(io);
    }
  }

  void upgrade() {
    ws_.async_handshake("127.0.0.1", cfg_.path + "?EIO=4&transport=websocket",
                        [self = this->shared_from_this()](beast::error_code ec) {
                          if (ec) return self->fail(true);
                          self->read();
                        });
  }

  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail(ec != websocket::error::closed);
      auto data = self->buffer_.cdata();
      std::string_view frame(static_cast<const char*>(data.data()), data.size());
      handle_packet(*self, self->events_, frame,
                    [&](std::string_view reply) { self->write(std::string(reply)); });
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  void write(std::string frame) {
    if (closed_) return;
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1) write_next();
  }

  void write_next() {
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      self->queue_.pop_front();
                      if (ec) return self->fail(true);
                      if (!self->queue_.empty()) self->write_next();
                    });
  }

  void fail(bool error) {
    if (reported_) return;
    reported_ = true;
    close();
    events_.on_closed(*this, error);
  }

  Stream ws_;
  client_config cfg_;
  client_events& events_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool closed_ = false;
  bool reported_ = false;
};

class polling_client final : public client, public std::enable_shared_from_this<polling_client> {
 public:
  polling_client(asio::io_context& io, client_config cfg, client_events& events)
      : get_(io), post_(io), cfg_(std::move(cfg)), events_(events) {}

  void start() override {
    try {
      open_socket(get_.socket(), cfg_);
      open_socket(post_.socket(), cfg_);
    } catch (const std::exception&) {
      return fail(true);
    }
    get_.async_connect(cfg_.server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail(true);
      self->post_.async_connect(self->cfg_.server, [self](beast::error_code ec) {
        if (ec) return self->fail(true);
        self->poll();
      });
    });
  }

  void send(std::string packet) override { queue_post("4" + packet); }

  void close() override {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    get_.socket().close(ec);
    post_.socket().close(ec);
  }

 private:
  std::string target() const {
    return cfg_.path + "?EIO=4&transport=polling" + (sid_.empty() ? "" : "&sid=" + sid_);
  }

  void poll() {
    get_req_ = {http::verb::get, target(), 11};
    get_req_.set(http::field::host, "127.0.0.1");
    http::async_write(
        get_, get_req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return self->fail(true);
          self->get_res_ = {};
          http::async_read(self->get_, self->get_buffer_, self->get_res_,
                           [self](beast::error_code ec, std::size_t) { self->on_poll(ec); });
        });
  }

  void on_poll(beast::error_code ec) {
    if (ec || get_res_.result() != http::status::ok) return fail(true);
    std::string_view body = get_res_.body();
    bool closing = false;
    while (!body.empty()) {
      auto end = body.find('\x1e');
      auto packet = body.substr(0, end);
      if (sid_.empty() && packet.substr(0, 9) == "0{\"sid\":\"") {
        sid_ = std::string(packet.substr(9, packet.find('"', 9) - 9));
      }
      closing = closing || packet == "1";
      handle_packet(*this, events_, packet,
                    [&](std::string_view reply) { queue_post(std::string(reply)); });
      body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
    }
    if (closing) return fail(false);
    poll();
  }

  void queue_post(const std::string& packet) {
    if (closed_) return;
    if (!pending_.empty()) pending_ += '\x1e';
    pending_ += packet;
    if (!posting_) post_next();
  }

  void post_next() {
    if (pending_.empty()) {
      posting_ = false;
      return;
    }
    posting_ = true;
    post_req_ = {http::verb::post, target(), 11};
    post_req_.set(http::field::host, "127.0.0.1");
    post_req_.set(http::field::content_type, "text/plain;charset=UTF-8");
    post_req_.body() = std::move(pending_);
    pending_.clear();
    post_req_.prepare_payload();
    http::async_write(post_, post_req_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->fail(true);
                        self->post_res_ = {};
                        http::async_read(self->post_, self->post_buffer_, self->post_res_,
                                         [self](beast::error_code ec, std::size_t) {
                                           if (ec || self->post_res_.result() != http::status::ok) {
                                             return self->fail(true);
                                           }
                                           self->post_next();
                                         });
                      });
  }

  void fail(bool error) {
    if (reported_) return;
    reported_ = true;
    close();
    events_.on_closed(*this, error);
  }

  beast::tcp_stream get_, post_;
  client_config cfg_;
  client_events& events_;
  std::string sid_;
  beast::flat_buffer get_buffer_, post_buffer_;
  http::request<http::empty_body> get_req_;
  http::response<http::string_body> get_res_;
  http::request<http::string_body> post_req_;
  http::response<http::string_body> post_res_;
  std::string pending_;
  bool posting_ = false;
  bool closed_ = false;
  bool reported_ = false;
};

}  // namespace

std::shared_ptr<client> make_websocket_client(asio::io_context& io, client_config cfg,
                                              client_events& events) {
  if (cfg.tls) return std::make_shared<websocket_client<tls_websocket>>(io, std::move(cfg), events);
  return std::make_shared<websocket_client<plain_websocket>>(io, std::move(cfg), events);
}

std::shared_ptr<client> make_polling_client(asio::io_context& io, client_config cfg,
                                            client_events& events) {
  return std::make_shared<polling_client>(io, std::move(cfg), events);
}

}  // namespace bench
