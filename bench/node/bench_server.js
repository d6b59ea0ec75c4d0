// Node twin of bench_server (shared CONTRACTS.md): socket.io with default options; "echo" acks
// its arguments back, "bcast" sends them to every socket of "/".
//   node bench_server.js [--port N] [--threads N (ignored: Node runs one thread)]
//                        [--tls-cert FILE --tls-key FILE]   (https only)
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createSecureServer } from "node:https";
import { Server } from "socket.io";

const args = process.argv.slice(2);
const i = args.indexOf("--port");
const port = Number(i >= 0 ? args[i + 1] : process.env.PORT ?? 3000);
const file = (name) => (args.includes(name) ? readFileSync(args[args.indexOf(name) + 1]) : null);
const cert = file("--tls-cert");

const server = cert ? createSecureServer({ cert, key: file("--tls-key") }) : createServer();
const io = new Server(server);
io.on("connection", (socket) => {
  socket.on("echo", (...a) => {
    const ack = a.pop();
    if (typeof ack === "function") ack(...a);
  });
  socket.on("bcast", (...a) => io.emit("bcast", ...a));
});
server.listen(port, "127.0.0.1", () => {
  const scheme = cert ? "https" : "http";
  console.log(`bench_server listening on ${scheme}://127.0.0.1:${server.address().port}/socket.io/`);
});
const shutdown = () => {
  io.close();
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
