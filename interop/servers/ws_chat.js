// Node twin of examples/ws_chat: a `ws` WebSocketServer at / on Node's HTTP server, beside
// socket.io. "nick NAME" names the client, "PRIVMSG text" talks; every open client gets
// {"type":"nick","message":NAME} or {"type":"message","message":"NAME: text"}.
//   node ws_chat.js [--port N] [--threads N (ignored)]
import { createServer } from "node:http";
import { Server } from "socket.io";
import { WebSocketServer, WebSocket } from "ws";

const args = process.argv.slice(2);
const i = args.indexOf("--port");
const port = Number(i >= 0 ? args[i + 1] : process.env.PORT ?? 3000);

const server = createServer((req, res) => {
  res.writeHead(404);
  res.end();
});
const io = new Server(server);
const wss = new WebSocketServer({ noServer: true });
server.on("upgrade", (req, socket, head) => {
  // socket.io's engine takes its own path; the chat takes exactly "/".
  if (new URL(req.url, "http://x").pathname !== "/") return;
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
});

const names = new Map();
const broadcast = (message) => {
  const text = JSON.stringify(message);
  for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(text);
};
wss.on("connection", (ws) => {
  names.set(ws, "anonymous");
  ws.on("message", (data, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    if (text.startsWith("nick ")) {
      names.set(ws, text.slice(5));
      broadcast({ type: "nick", message: names.get(ws) });
    } else if (text.startsWith("PRIVMSG ")) {
      broadcast({ type: "message", message: `${names.get(ws)}: ${text.slice(8)}` });
    }
  });
  ws.on("close", () => names.delete(ws));
});

server.listen(port, "0.0.0.0", () => {
  console.log(`ws_chat listening on http://127.0.0.1:${server.address().port}/`);
});
const shutdown = () => {
  for (const client of wss.clients) client.close(1001);
  io.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
