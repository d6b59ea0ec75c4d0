#!/usr/bin/env node
// Node twin of sio-cpp's examples/socketio_echo: same command line, same
// options, same log line, same handlers. It is the reference the interop
// tests are checked against; the C++ binary must behave the same way.
//
//   node servers/socketio_echo.js [--port N] [--eio3] [--msgpack] [--ping-interval MS]
//                                 [--ping-timeout MS] [--threads N]
//                                 [--tls-cert FILE --tls-key FILE]
//
// --msgpack: parser socket.io-msgpack-parser (every packet one binary
// MessagePack frame) instead of the default JSON parser.
// --threads N is accepted and ignored (the C++ server's shard count).
// Port: --port N, else $PORT, else 3000 (--port 0 = ephemeral). With a certificate: https only.
//
// Namespaces "/" and "/custom" (any other one is refused: "Invalid
// namespace"), both with the handlers of the Socket.IO protocol test suite:
//   on connection        emit("auth", handshake.auth)
//   message (...args)    emit("message-back", ...args)
//   message-with-ack (...args, ack)   ack(...args)
//   emit-with-ack (...args)           emit("emit-with-ack", ...args, ack);
//                                     on ack(...res): emit("emit-with-ack", ...res)
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { Server } from "socket.io";
import msgpackParser from "socket.io-msgpack-parser";

const USAGE =
  "usage: socketio_echo [--port N] [--eio3] [--msgpack] [--ping-interval MS] [--ping-timeout MS] [--threads N] [--tls-cert FILE --tls-key FILE]\n";

function parseArgs(argv) {
  const opts = {
    port: process.env.PORT ?? "3000",
    eio3: false,
    msgpack: false,
    pingInterval: "300",
    pingTimeout: "200",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = i + 1 < argv.length;
    if (a === "--eio3") opts.eio3 = true;
    else if (a === "--msgpack") opts.msgpack = true;
    else if (a === "--port" && value) opts.port = argv[++i];
    else if (a === "--ping-interval" && value) opts.pingInterval = argv[++i];
    else if (a === "--ping-timeout" && value) opts.pingTimeout = argv[++i];
    else if (a === "--threads" && value) i++; // ignored
    else if (a === "--tls-cert" && value) opts.cert = argv[++i];
    else if (a === "--tls-key" && value) opts.key = argv[++i];
    else {
      process.stderr.write(USAGE);
      process.exit(2);
    }
  }
  const num = (name, v, max) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > max) {
      process.stderr.write(`socketio_echo: bad ${name} ${v}\n`);
      process.exit(2);
    }
    return n;
  };
  return {
    port: num("port", opts.port, 65535),
    eio3: opts.eio3,
    msgpack: opts.msgpack,
    pingInterval: num("ping interval", opts.pingInterval, 2 ** 31 - 1),
    pingTimeout: num("ping timeout", opts.pingTimeout, 2 ** 31 - 1),
    tls: opts.cert ? { cert: readFileSync(opts.cert), key: readFileSync(opts.key) } : null,
  };
}

const { port, eio3, msgpack, pingInterval, pingTimeout, tls } = parseArgs(process.argv.slice(2));

// Requests outside /socket.io/ get a plain 404 (as the C++ server answers).
const notFound = (req, res) => {
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("Not Found");
};
const httpServer = tls ? https.createServer(tls, notFound) : http.createServer(notFound);

const io = new Server(httpServer, {
  path: "/socket.io/",
  serveClient: false,
  pingInterval,
  pingTimeout,
  maxHttpBufferSize: 1e6,
  connectTimeout: 1000,
  allowEIO3: eio3,
  ...(msgpack ? { parser: msgpackParser } : {}),
});

function echoHandlers(socket) {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...args) => {
    socket.emit("message-back", ...args);
  });
  socket.on("message-with-ack", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });
  socket.on("emit-with-ack", (...args) => {
    socket.emit("emit-with-ack", ...args, (...res) => {
      socket.emit("emit-with-ack", ...res);
    });
  });
}

io.of("/").on("connection", echoHandlers);
io.of("/custom").on("connection", echoHandlers);

httpServer.listen(port, "127.0.0.1", () => {
  const bound = httpServer.address().port;
  const scheme = tls ? "https" : "http";
  process.stdout.write(`socketio_echo listening on ${scheme}://127.0.0.1:${bound}/socket.io/\n`);
});

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  // io.close() ends every session (a parked poll gets the close packet, a
  // WebSocket a close frame), then closes the HTTP server.
  io.close(() => process.exit(0));
  // Connections that are still open after that must not keep us alive.
  setTimeout(() => httpServer.closeAllConnections?.(), 200).unref();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
