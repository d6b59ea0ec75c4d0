#!/usr/bin/env node
// Node twin of sio-cpp's tests/servers/engineio_options.cpp: an echo server
// (pingInterval 300, pingTimeout 200) whose engine.io options come from flags.
//
//   node servers/engineio_options.js [--port N] [--threads N] [--path P] [--eio3]
//     [--cors-origin O]... [--cors-credentials] [--cookie] [--deny-param]
//     [--initial-packet TEXT] [--deflate] [--no-compression]
//     [--websocket-only] [--polling-only] [--no-upgrades] [--headers]
//     [--cookie-attributes] [--middlewares] [--deflate-no-context] [--deflate-window-bits]
//     [--cors-preflight-continue] [--cors-delegate] [--generate-id]
//
// --threads is accepted and ignored (Node has one event loop).
// --deny-param: allowRequest answers after 10 ms and refuses deny=1.
// --cookie-attributes: the cookie with every attribute: maxAge 60 s, domain example.com,
// expires 1700000000 s after the epoch, secure, partitioned, priority high, sameSite none.
// --deflate-no-context: --deflate with server and client context takeover off.
// --generate-id: session ids "id-<the query's idtag parameter>".
// --cors-preflight-continue: cors for http://a.example whose preflights go on to engine.io.
// --cors-delegate: a cors options delegate answering 10 ms later: a query with cors=fail fails
// the request, cors=off turns CORS off, anything else gets origins http://a.example and
// http://b.example with credentials.
// --deflate-window-bits: --deflate with a server window of 2^10 and a client window of 2^11.
// --middlewares: two engine middlewares. The first sets "X-Middleware: 1"; the second answers
// 10 ms later: mw=fail calls next(error), mw=401 ends the answer with 401 "no entry", anything
// else goes on.
// --headers: the initial_headers listener adds "X-Initial: 1", the headers listener
// "X-Transport: <the transport query parameter>".
import http from "node:http";
import { Server } from "engine.io";

const USAGE =
  "usage: engineio_options [--port N] [--threads N] [--path P] [--eio3] [--cors-origin O]... " +
  "[--cors-credentials] [--cookie] [--deny-param] [--initial-packet TEXT] [--deflate] " +
  "[--no-compression] [--websocket-only] [--polling-only] [--no-upgrades] [--headers] " +
  "[--cookie-attributes] [--middlewares] [--deflate-no-context] [--deflate-window-bits] " +
  "[--cors-preflight-continue] [--cors-delegate] [--generate-id]\n";

function parseArgs(argv) {
  const o = { port: process.env.PORT ?? "3001", path: "/engine.io/", origins: [] };
  const flags = new Set([
    "--eio3", "--cors-credentials", "--cookie", "--deny-param", "--deflate",
    "--no-compression", "--websocket-only", "--polling-only", "--no-upgrades", "--headers",
    "--cookie-attributes", "--middlewares", "--deflate-no-context", "--deflate-window-bits",
    "--cors-preflight-continue", "--cors-delegate", "--generate-id",
  ]);
  const valued = new Set(["--port", "--threads", "--path", "--cors-origin", "--initial-packet"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (flags.has(a)) o[a] = true;
    else if (valued.has(a) && i + 1 < argv.length) {
      const v = argv[++i];
      if (a === "--port") o.port = v;
      else if (a === "--path") o.path = v;
      else if (a === "--cors-origin") o.origins.push(v);
      else if (a === "--initial-packet") o.initialPacket = v;
      // --threads: ignored
    } else {
      process.stderr.write(USAGE);
      process.exit(2);
    }
  }
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`engineio_options: bad port ${o.port}\n`);
    process.exit(2);
  }
  return { ...o, port };
}

function engineOptions(o) {
  const opts = {
    pingInterval: 300,
    pingTimeout: 200,
    allowEIO3: !!o["--eio3"],
  };
  if (o.origins.length > 0 || o["--cors-credentials"]) {
    opts.cors = {};
    if (o.origins.length > 0) opts.cors.origin = o.origins.length === 1 ? o.origins[0] : o.origins;
    if (o["--cors-credentials"]) opts.cors.credentials = true;
  }
  if (o["--cookie"]) opts.cookie = true;
  if (o["--cookie-attributes"]) {
    opts.cookie = {
      name: "io", maxAge: 60, domain: "example.com", expires: new Date(1_700_000_000_000),
      secure: true, partitioned: true, priority: "high", sameSite: "none",
    };
  }
  if (o["--deny-param"]) {
    opts.allowRequest = (req, fn) => {
      setTimeout(() => {
        if (req._query.deny === "1") fn("denied by test", false);
        else fn(null, true);
      }, 10);
    };
  }
  if (o.initialPacket !== undefined) opts.initialPacket = o.initialPacket;
  if (o["--deflate"]) opts.perMessageDeflate = { threshold: 1024 };
  if (o["--cors-preflight-continue"]) opts.cors = { origin: "http://a.example", preflightContinue: true };
  if (o["--cors-delegate"]) {
    opts.cors = (req, callback) => {
      const mode = new URL(req.url, "http://localhost").searchParams.get("cors");
      setTimeout(() => {
        if (mode === "fail") return callback(new Error("refused by test"));
        if (mode === "off") return callback(null, { origin: false });
        callback(null, { origin: ["http://a.example", "http://b.example"], credentials: true });
      }, 10);
    };
  }
  if (o["--deflate-window-bits"]) {
    opts.perMessageDeflate = { threshold: 1024, serverMaxWindowBits: 10, clientMaxWindowBits: 11 };
  }
  if (o["--deflate-no-context"]) {
    opts.perMessageDeflate = { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true };
  }
  if (o["--no-compression"]) opts.httpCompression = false;
  if (o["--websocket-only"]) opts.transports = ["websocket"];
  if (o["--polling-only"]) opts.transports = ["polling"];
  if (o["--no-upgrades"]) opts.allowUpgrades = false;
  return opts;
}

const o = parseArgs(process.argv.slice(2));

// Requests outside the engine.io path get a plain 404, as in engineio_echo.js.
const httpServer = http.createServer((req, res) => {
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("Not Found");
});

const engine = new Server(engineOptions(o));
engine.attach(httpServer, { path: o.path });
if (o["--generate-id"]) engine.generateId = (req) => `id-${req._query.idtag ?? ""}`;

if (o["--middlewares"]) {
  engine.use((req, res, next) => {
    res.setHeader("X-Middleware", "1");
    next();
  });
  engine.use((req, res, next) => {
    setTimeout(() => {
      if (req._query.mw === "fail") return next(new Error("refused by test"));
      if (req._query.mw === "401") {
        res.writeHead(401, { "Content-Type": "text/plain" });
        return res.end("no entry");
      }
      next();
    }, 10);
  });
}

if (o["--headers"]) {
  engine.on("initial_headers", (headers) => {
    headers["X-Initial"] = "1";
  });
  engine.on("headers", (headers, req) => {
    headers["X-Transport"] = req._query.transport;
  });
}

engine.on("connection", (socket) => {
  socket.on("message", (data) => socket.send(data));
});

httpServer.listen(o.port, "127.0.0.1", () => {
  const bound = httpServer.address().port;
  process.stdout.write(`engineio_options listening on http://127.0.0.1:${bound}${o.path}\n`);
});

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  engine.close();
  httpServer.close(() => process.exit(0));
  httpServer.closeAllConnections?.();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
