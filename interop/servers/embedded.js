// Node twin of examples/embedded: an express app with its own routes (GET /api/status, the chat
// page at /) and socket.io attached to its HTTP server, as io.attach(httpServer) does.
//   node embedded.js [--port N]   (default 3000)
import express from "express";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const i = args.indexOf("--port");
const port = Number(i >= 0 ? args[i + 1] : 3000);
const page = readFileSync(path.join(here, "../../examples/chat/public/index.html"));

const app = express();
const server = createServer(app);
const io = new Server();
io.attach(server);

app.get("/api/status", (req, res) => res.json({ service: "embedded", clients: io.engine.clientsCount }));
app.get("/", (req, res) => res.type("html").send(page));

io.on("connection", (socket) => {
  socket.on("chat message", (...msg) => io.emit("chat message", ...msg));
});

server.listen(port, "127.0.0.1", () => {
  console.log(`embedded listening on http://127.0.0.1:${server.address().port}/`);
});

const shutdown = () => {
  io.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
