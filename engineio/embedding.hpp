#pragma once
/// Embedding in an application's own Beast/Asio HTTP server, as Node's `engine.attach(httpServer)`
/// joins an express app: the application reads a request, sees that it is Engine.IO's (its
/// target under the server's path), and hands it over with its connection:
///
/// ```cpp
/// if (req.target().starts_with("/socket.io/")) {
///   return io.attach(stream.release_socket(), std::move(req),
///   beast::buffers_to_string(buffer.data()),
///                    [](tcp::socket s, std::string already_read) {
///                      // the application's connection again: read its next request
///                    });
/// }
/// ```
///
/// From then on the server reads the connection itself (keep-alive). It looks at each request's
/// request line only, and the first one that is not under the Engine.IO path (the server's
/// routes, mounts and raw WebSocket endpoints serve its own listeners) goes back to the
/// application unparsed, with the connection, through the give-back handler, on the executor the
/// socket had. The application's limits and parser apply to its own requests, never ours.
/// The application's executor must outlive the server, or the server be stopped first.

#include <functional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace engineio {

/// A request as the application's Beast server reads it.
using http_request_message = boost::beast::http::request<boost::beast::http::string_body>;

/// Takes back a connection whose next request is not the server's, with the bytes already read
/// from it (that request's start, and anything after it). Runs on the socket's original
/// executor; an exception from it is logged.
using give_back_handler =
    std::function<void(boost::asio::ip::tcp::socket socket, std::string already_read)>;

}  // namespace engineio
