// Node twin of bench_server (shared CONTRACTS.md): socket.io with default options; "echo" acks
// its arguments back, "bcast" sends them to every socket of "/".
//   node bench_server.js [--port N] [--threads N (ignored: Node runs one thread)]
import { createServer } from "node:http";
import { Server } from "socket.io";

const args = process.argv.slice(2);
const i = args.indexOf("--port");
const port = Number(i >= 0 ? args[i + 1] : process.env.PORT ?? 3000);

const server = createServer();
const io = new Server(server);
io.on("connection", (socket) => {
  socket.on("echo", (...a) => {
    const ack = a.pop();
    if (typeof ack === "function") ack(...a);
  });
  socket.on("bcast", (...a) => io.emit("bcast", ...a));
});
server.listen(port, "127.0.0.1", () => {
  console.log(`bench_server listening on http://127.0.0.1:${server.address().port}/socket.io/`);
});
const shutdown = () => {
  io.close();
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
