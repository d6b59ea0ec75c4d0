// Node twin of examples/chat: the Socket.IO getting-started chat on express 5 and socket.io
// 4.8, serving the same page (examples/chat/public) with express.static.
//   node chat.js [--port N] [--threads N (ignored)] [--tls-cert FILE --tls-key FILE]
//   (port: --port, else $PORT, else 3000; with a certificate, https only, reloaded on SIGHUP)
import express from "express";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createSecureServer } from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const port = Number(flag("--port") ?? process.env.PORT ?? 3000);

const app = express();
app.use(express.static(path.join(here, "../../examples/chat/public")));
const cert = flag("--tls-cert");
const key = flag("--tls-key");
const files = () => ({ cert: readFileSync(cert), key: readFileSync(key) });
const server = cert ? createSecureServer(files(), app) : createServer(app);
const io = new Server(server, { allowEIO3: true });

io.on("connection", (socket) => {
  socket.on("chat message", (...msg) => io.emit("chat message", ...msg));
});

server.listen(port, "0.0.0.0", () => {
  const scheme = cert ? "https" : "http";
  console.log(`chat listening on ${scheme}://127.0.0.1:${server.address().port}/`);
});
if (cert) process.on("SIGHUP", () => server.setSecureContext(files()));

const shutdown = () => {
  io.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
