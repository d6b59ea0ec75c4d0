#!/usr/bin/env node
// Node twin of sio-cpp's examples/engineio_echo: same command line, same
// options, same log line. It is the reference the interop tests are checked
// against; the C++ binary must behave the same way.
//
//   node servers/engineio_echo.js [--port N] [--eio3] [--threads N]
//
// --threads N is accepted and ignored (the C++ server's shard count).
// Port: --port N, else $PORT, else 3001 (--port 0 = ephemeral).
import http from "node:http";
import { Server } from "engine.io";

function parseArgs(argv) {
  const opts = { port: process.env.PORT ?? "3001", eio3: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--eio3") opts.eio3 = true;
    else if (a === "--port" && i + 1 < argv.length) opts.port = argv[++i];
    else if (a.startsWith("--port=")) opts.port = a.slice("--port=".length);
    else if (a === "--threads" && i + 1 < argv.length) i++; // ignored
    else {
      process.stderr.write(`usage: engineio_echo [--port N] [--eio3] [--threads N]\n`);
      process.exit(2);
    }
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`engineio_echo: bad port ${opts.port}\n`);
    process.exit(2);
  }
  return { port, eio3: opts.eio3 };
}

const { port, eio3 } = parseArgs(process.argv.slice(2));

// Requests outside /engine.io/ get a plain 404 (engine.io alone would leave
// them unanswered; the C++ server answers 404).
const httpServer = http.createServer((req, res) => {
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("Not Found");
});

const engine = new Server({
  pingInterval: 300,
  pingTimeout: 200,
  maxHttpBufferSize: 1e6,
  allowUpgrades: true,
  transports: ["polling", "websocket"],
  allowEIO3: eio3,
});
engine.attach(httpServer, { path: "/engine.io/" });

engine.on("connection", (socket) => {
  // Echo: strings come back as strings, Buffers as binary.
  socket.on("message", (data) => socket.send(data));
});

httpServer.listen(port, "127.0.0.1", () => {
  const bound = httpServer.address().port;
  process.stdout.write(
    `engineio_echo listening on http://127.0.0.1:${bound}/engine.io/\n`,
  );
});

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  engine.close();
  httpServer.close(() => process.exit(0));
  httpServer.closeAllConnections?.();
  // Parked upgrade sockets etc. must not keep us alive.
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
