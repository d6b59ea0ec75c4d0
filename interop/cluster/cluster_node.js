#!/usr/bin/env node
// Node twin of sio-cpp's examples/cluster_node: one node of a Redis-backed
// Socket.IO cluster, on socket.io 4.8 + @socket.io/redis-adapter 8.3 (the
// reference the C++ adapter must be wire-compatible with).
//
//   node cluster/cluster_node.js [--port P] [--redis redis://127.0.0.1:R] [--name X]
//                                [--adapter classic|sharded]
//
// Each flag falls back to $PORT, $REDIS_URL, $NODE_NAME, $REDIS_ADAPTER, then
// to 3000, redis://127.0.0.1:6379, node-<port>, classic.
// classic = createAdapter (pub/sub), sharded = createShardedAdapter
// (Redis 7 sharded pub/sub, subscriptionMode "dynamic"); default options
// otherwise (key "socket.io", requestsTimeout 5000 ms).
//
// Namespaces "/" and "/chat" with the same handlers; the test clients drive
// the cluster through them (see interop/README.md, section "cluster").
import http from "node:http";
import { Server } from "socket.io";
import { createClient } from "redis";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";

const USAGE =
  "usage: cluster_node [--port P] [--redis redis://HOST:PORT] [--name X] [--adapter classic|sharded]\n";

function die(msg) {
  process.stderr.write(msg);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    port: process.env.PORT ?? "3000",
    redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    name: process.env.NODE_NAME,
    adapter: process.env.REDIS_ADAPTER ?? "classic",
  };
  const flags = { "--port": "port", "--redis": "redis", "--name": "name", "--adapter": "adapter" };
  for (let i = 0; i < argv.length; i++) {
    const key = flags[argv[i]];
    if (!key || i + 1 >= argv.length) die(USAGE);
    opts[key] = argv[++i];
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) die(`cluster_node: bad port ${opts.port}\n`);
  if (opts.adapter !== "classic" && opts.adapter !== "sharded") die(`cluster_node: bad adapter ${opts.adapter}\n`);
  return { ...opts, port, name: opts.name || `node-${port}` };
}

const { port, redis: redisUrl, name, adapter: mode } = parseArgs(process.argv.slice(2));

// The adapter needs two connections: the subscriber one is in subscribed
// state and cannot publish or run PUBSUB NUMSUB.
const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
// Without a listener node-redis would throw on a lost connection; it
// reconnects by itself.
for (const c of [pub, sub]) c.on("error", (e) => process.stderr.write(`cluster_node ${name}: redis: ${e.message}\n`));
await Promise.all([pub.connect(), sub.connect()]);

const httpServer = http.createServer((req, res) => {
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("Not Found");
});

const io = new Server(httpServer, {
  serveClient: false,
  adapter:
    mode === "sharded"
      ? createShardedAdapter(pub, sub, { subscriptionMode: "dynamic" })
      : createAdapter(pub, sub),
});

const list = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const errorMessage = (e) => (e ? (e.message ?? String(e)) : null);

/** The operator of `emit`: nsp.to(rooms), socket.to(rooms) or nsp.local.to(rooms), then except(). */
function operator(nsp, socket, { rooms, except, broadcast, local } = {}) {
  const base = broadcast ? socket.broadcast : local ? nsp.local : nsp;
  return base.to(list(rooms)).except(list(except));
}

/** Where fetch/sjoin/sleave/kick apply: nsp.in(rooms).except(except). */
const selection = (nsp, { rooms, except } = {}) => nsp.in(list(rooms)).except(list(except));

function setUp(nsp) {
  nsp.use((socket, next) => {
    socket.data = { name: socket.handshake.auth?.name ?? null, node: name };
    next();
  });

  // serverSideEmit from other nodes and from @socket.io/redis-emitter.
  nsp.on("hello", (...args) => {
    const cb = typeof args[args.length - 1] === "function" ? args.pop() : null;
    cb?.({ node: name, nsp: nsp.name, args });
  });
  nsp.on("relay", (event, ...args) => nsp.local.emit(event, ...args));

  nsp.on("connection", (socket) => {
    // Every handler gets an ack as its last argument; one without it (a
    // misbehaving client) is ignored rather than crashing the node.
    const handle = (event, fn) =>
      socket.on(event, async (...args) => {
        const ack = args.pop();
        if (typeof ack !== "function") return;
        try {
          const reply = await fn(...args);
          if (reply === undefined) ack();
          else ack(reply);
        } catch (e) {
          ack({ error: errorMessage(e) });
        }
      });

    handle("me", () => ({ node: name, nsp: nsp.name, id: socket.id, rooms: [...socket.rooms], data: socket.data }));
    handle("join", (rooms) => void socket.join(rooms));
    handle("leave", (rooms) => {
      for (const r of list(rooms)) socket.leave(r);
    });
    handle("emit", (o) => {
      operator(nsp, socket, o).emit(o.event, ...list(o.args));
    });
    handle(
      "emit-ack",
      (o) =>
        new Promise((resolve) => {
          operator(nsp, socket, o)
            .timeout(o.timeout)
            .emit(o.event, ...list(o.args), (err, responses) => resolve({ error: errorMessage(err), responses }));
        }),
    );
    handle("fetch", async (o) => {
      const sockets = await selection(nsp, o).fetchSockets();
      return sockets.map((s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, handshake: s.handshake }));
    });
    handle("sjoin", (o) => void selection(nsp, o).socketsJoin(o.target));
    handle("sleave", (o) => void selection(nsp, o).socketsLeave(o.target));
    handle("kick", (o) => void selection(nsp, o).disconnectSockets(Boolean(o.close)));
    handle("sse", (o) => {
      if (!o.ack) {
        nsp.serverSideEmit(o.event, ...list(o.args));
        return;
      }
      return new Promise((resolve) =>
        nsp.serverSideEmit(o.event, ...list(o.args), (err, replies) => resolve({ error: errorMessage(err), replies })),
      );
    });
    handle("count", () => nsp.adapter.serverCount());
    handle("rooms", async () => {
      // Only the classic adapter implements allRooms().
      if (typeof nsp.adapter.allRooms !== "function") return { error: `allRooms is not supported by the ${mode} adapter` };
      return [...(await nsp.adapter.allRooms())];
    });
  });
}

// Both namespaces exist from the start so that each one's adapter is
// subscribed before the node counts as ready.
setUp(io.of("/"));
setUp(io.of("/chat"));

httpServer.listen(port, "127.0.0.1", () => {
  const bound = httpServer.address().port;
  process.stdout.write(`cluster_node ${name} listening on http://127.0.0.1:${bound}/socket.io/\n`);
});

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  // io.close() ends every session and closes the adapters (unsubscribing);
  // then the Redis connections go.
  io.close(() => {
    Promise.allSettled([pub.quit(), sub.quit()]).finally(() => process.exit(0));
  });
  setTimeout(() => httpServer.closeAllConnections?.(), 200).unref();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
