#pragma once
/// Embedding in an application's own Beast/Asio HTTP server, as Node's `engine.attach(httpServer)`
/// joins an express app: the application reads a request, sees that it is Engine.IO's (its
/// target under the server's path), and hands it over with its connection:
///
/// ```cpp
/// if (req.target().starts_with("/socket.io/")) {
///   return io.attach(stream.release_socket(), std::move(req), leftover(buffer),
///                    [](tcp::socket s, eio::http_request_message r, std::string rest) {
///                      // the app's own request again: serve it on its own session
///                    });
/// }
/// ```
///
/// From then on the server reads the connection's requests itself (keep-alive); the first one
/// that is not its own (no route, mount or WebSocket endpoint of the server matches and it is
/// not under the Engine.IO path) goes back to the application with the connection, through the
/// give-back handler, on the executor the socket had.

#include <functional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace engineio {

/// A request as the application's Beast server reads it.
using http_request_message = boost::beast::http::request<boost::beast::http::string_body>;

/// Takes back a connection and the request on it that the server does not answer, with the
/// bytes already read past that request (pipelined requests). Runs on the socket's original
/// executor; an exception from it is logged.
using give_back_handler = std::function<void(boost::asio::ip::tcp::socket socket,
                                             http_request_message req, std::string already_read)>;

}  // namespace engineio
