#!/usr/bin/env node
// Node twin of sio-cpp's examples/client_suite_server: same command line,
// same options, same log line, same handlers. It is the server of
// socket.io-client's own test suite (test/support/server.ts), the reference
// test/client-suite.test.js is checked against.
//
//   node servers/client_suite_server.js [--port N] [--threads N]
//
// --threads N is accepted and ignored (the C++ server's shard count).
// Port: --port N, else $PORT, else 3000 (--port 0 = ephemeral).
//
// Engine.IO at /socket.io/: pingInterval 2000, pingTimeout 20000, maxPayload
// 1e6; every request that would open a session is accepted after 10 ms
// (allowRequest with a setTimeout). Connection state recovery on every
// namespace (maxDisconnectionDuration 120 s, skipMiddlewares).
//
// Namespaces:
//   /                 middleware: refused with "Auth failed (main namespace)"
//                     when the handshake query has a non-empty `fail`;
//                     the handlers of main() below
//   /foo              getId(ack) -> ack(socket.id)
//   /timeout_socket, /valid, /asd   exist, no handlers
//   /abc              on connection: emit("handshake", socket.handshake)
//   /no               middleware refuses: "Auth failed (custom namespace)"
// Any other namespace is refused with "Invalid namespace".
import http from "node:http";
import { Server } from "socket.io";

const USAGE = "usage: client_suite_server [--port N] [--threads N]\n";

function parseArgs(argv) {
  const opts = { port: process.env.PORT ?? "3000" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = i + 1 < argv.length;
    if (a === "--port" && value) opts.port = argv[++i];
    else if (a === "--threads" && value) i++; // ignored
    else {
      process.stderr.write(USAGE);
      process.exit(2);
    }
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`client_suite_server: bad port ${opts.port}\n`);
    process.exit(2);
  }
  return { port };
}

const { port } = parseArgs(process.argv.slice(2));

// Requests outside /socket.io/ get a plain 404 (as the C++ server answers).
const httpServer = http.createServer((req, res) => {
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("Not Found");
});

const io = new Server(httpServer, {
  path: "/socket.io/",
  serveClient: false,
  pingInterval: 2000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
  connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: true },
  // engine.io calls it for requests without a sid only (handshakes).
  allowRequest: (req, callback) => {
    setTimeout(() => callback(null, true), 10);
  },
});

const ASDF = () => Buffer.from("asdfasdf", "utf8");
const isJsonBuff = (a) =>
  a != null && a.hello === "lol" && Buffer.isBuffer(a.message) && a.goodbye === "gotcha";

function main(socket) {
  socket.on("hi", () => {
    socket.emit("hi");
  });
  socket.on("echo", (arg, cb) => {
    if (typeof cb === "function") cb(arg);
  });
  socket.on("ack", () => {
    socket.emit("ack", (a, b) => {
      if (a === 5 && b?.test) socket.emit("got it");
    });
  });
  socket.on("getAckDate", (data, cb) => {
    if (typeof cb === "function") cb(new Date());
  });
  socket.on("getDate", () => {
    socket.emit("takeDate", new Date());
  });
  socket.on("getDateObj", () => {
    socket.emit("takeDateObj", { date: new Date() });
  });
  socket.on("getUtf8", () => {
    for (const text of ["てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"]) {
      socket.emit("takeUtf8", text);
    }
  });
  socket.on("false", () => {
    socket.emit("false", false);
  });
  socket.on("doge", () => {
    socket.emit("doge", ASDF());
  });
  socket.on("getbin", () => {
    socket.emit("takebin", ASDF());
  });
  socket.on("buffa", (a) => {
    if (Buffer.isBuffer(a)) socket.emit("buffack");
  });
  socket.on("blob", (a) => {
    if (Buffer.isBuffer(a)) socket.emit("back");
  });
  socket.on("jsonbuff", (a) => {
    if (isJsonBuff(a)) socket.emit("jsonbuff-ack");
  });
  socket.on("jsonblob", (a) => {
    if (isJsonBuff(a)) socket.emit("jsonblob-ack");
  });
  // ordered binary events, per socket
  let abuff1 = false;
  let blob1 = false;
  let blob2 = false;
  socket.on("abuff1", (a) => {
    abuff1 = Buffer.isBuffer(a);
  });
  socket.on("abuff2", () => {
    if (abuff1) socket.emit("abuff2-ack");
  });
  socket.on("blob1", (a) => {
    blob1 = Buffer.isBuffer(a);
  });
  socket.on("blob2", (a) => {
    blob2 = blob1 && a === "second";
  });
  socket.on("blob3", (a) => {
    if (blob2 && Buffer.isBuffer(a)) socket.emit("blob3-ack");
  });
  socket.on("getHandshake", (cb) => {
    if (typeof cb === "function") cb(socket.handshake);
  });
  socket.on("getId", (cb) => {
    if (typeof cb === "function") cb(socket.id);
  });
}

io.use((socket, next) => {
  if (socket.handshake.query.fail) return next(new Error("Auth failed (main namespace)"));
  next();
});
io.on("connection", main);

io.of("/foo").on("connection", (socket) => {
  socket.on("getId", (cb) => {
    if (typeof cb === "function") cb(socket.id);
  });
});
for (const name of ["/timeout_socket", "/valid", "/asd"]) io.of(name);
io.of("/abc").on("connection", (socket) => {
  socket.emit("handshake", socket.handshake);
});
io.of("/no").use((socket, next) => {
  next(new Error("Auth failed (custom namespace)"));
});

httpServer.listen(port, "127.0.0.1", () => {
  const bound = httpServer.address().port;
  process.stdout.write(`client_suite_server listening on http://127.0.0.1:${bound}/socket.io/\n`);
});

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  io.close(() => process.exit(0));
  setTimeout(() => httpServer.closeAllConnections?.(), 200).unref();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
