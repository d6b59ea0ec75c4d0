#!/usr/bin/env node
// Node twin of sio-cpp's tests/servers/socketio_ops.cpp: same command line,
// same log line, same event table. It exposes the rooms and broadcast
// operators to clients, so test/ops.test.js can drive every operator and
// compare the C++ server with socket.io 4.8 (the reference).
//
//   node servers/socketio_ops.js [--port N] [--threads N] [--name X]
//
// --threads N is accepted and ignored (the C++ server's shard count).
// Port: --port N, else $PORT, else 3000 (--port 0 = ephemeral). Name: "node".
//
// Namespaces "/", "/chat" and the dynamic /^\/dyn-\d+$/ (a parent namespace:
// its children, e.g. "/dyn-1", are created on their first connection and
// inherit its middleware and handlers), /^\/find-\d+/ (a name that starts
// so) and /lookup-N (an asynchronous matcher accepts it 20 ms later when N is
// even); a middleware sets socket.data = {name: handshake.auth.name ?? null, node: X}.
// The child /dyn-0 is made at start with io.of() and joins its sockets to room
// "explicit". On "/": new-namespaces(ack) acks the names new_namespace announced.
// On "/chat": room-events(ack) acks the adapter's create-room, join-room, leave-room and
// delete-room events so far for rooms named "re-*", as "join re-1 alice" (auth name).
// Events (the last argument is always an ack):
//   me(ack)                    ack {node, nsp, id, rooms, data}
//   join/leave(room|rooms, ack)
//   emit({rooms, except, event, args, broadcast?, local?, volatile?}, ack)
//   emit-ack({rooms, except, event, args, timeout}, ack)    ack {error, responses}
//   sjoin/sleave({rooms, except, target}, ack)
//   kick({rooms, except, close}, ack)     acks first, then disconnectSockets(close)
//   fetch({rooms, except}, ack)            ack [{id, rooms, data, handshake}]
//   sse({event, args, ack: bool}, ack)     nsp.serverSideEmit(event, ...args[, cb]);
//       with ack: ack {error, replies} from cb; else ack(). With the in-memory
//       adapter socket.io only warns and never calls cb: no answer then.
//   count(ack)                             ack the adapter's server count
//   rooms(ack)                             ack the adapter's rooms (socket-id rooms too)
//   emit-self({event, args, compress, volatile}, ack)
//       socket.compress(compress).volatile?.emit(event, ...args) to the sender, then ack()
//   lookup({room, id}, ack)                ack this server's synchronous lookups, sorted:
//       {ids: the namespace's socket ids, count: their number, members: room's members,
//        rooms: the rooms of socket id, or null}
//   request-user(ack)                      acks what an engine middleware attached to the
//       handshake request as "user" (the query's user parameter), or null
//   conn-watch(ack)                        listens on socket.conn and acks; the log gets
//       "packet:T" per packet received, "create:T" per packet created (T its type digit),
//       "flush:N" (N packets), "drain", "heartbeat", "upgrading", "upgrade"
//   conn-log(ack)                          acks that log
//   remote({rooms, except, action, room, event, args, close}, ack)
//       fetchSockets(), then on each socket: emit(event, ...args) | join(room) |
//       leave(room) | disconnect(close); then ack() (a throwing action, e.g.
//       emit of a reserved event name, is logged and skipped); or with action "ask",
//       timeout(timeout).emit(event, ...args, cb) on each and ack [{error, response}] once
//       all answered
//   parent-emit({event, args}, ack)        the dynamic parent emits to all its children:
//       parentNamespace.emit(event, ...args); then ack()
//
// Socket API checks, on every namespace (test/ops-socket-api.test.js):
//   a socket middleware (socket.use) refuses events named "blocked" with
//   "blocked by middleware"; the socket's "error" listener (which also hears
//   why a packet could not be decoded) emits middleware-error(message) to the
//   client (no ack is sent) and socket-error {id, message} to room "watchers"
//   once-only(ack)         a `once` handler: the first call acks "first", later ones never ack
//   drop-handler(ack)      removes the handlers of "dropped" (removeAllListeners), then acks
//   dropped(ack)           acks "present" until drop-handler ran
//   last-any(ack)          acks {event, args} of the last event seen by the onAny listener
//       (other than last-any itself). Node's onAny gets the ack callback as the last
//       argument of an event sent with an ack; it is kept, so JSON encodes it as null.
//   outgoing(ack)          acks the names of the events emitted to this socket so far (onAnyOutgoing)
//   throw(ack)             the handler throws: nothing is acked, the connection stays up
//   on disconnecting, emits to room "watchers": bye {id, rooms (still readable), reason}
//
// Namespace "/guarded" and the dynamic /^\/guarded-\d+$/: the same handlers (no
// parent-emit, no socket.data); their middleware refuses unless handshake.auth.token
// is "ok", with an Error "not authorized" whose data is {code: 42, hint: "send a token"};
// it joins the socket to auth.room when there is one.
import http from "node:http";
import { Server } from "socket.io";

const USAGE = "usage: socketio_ops [--port N] [--threads N] [--name X]\n";

function parseArgs(argv) {
  const opts = { port: process.env.PORT ?? "3000", name: "node" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = i + 1 < argv.length;
    if (a === "--port" && value) opts.port = argv[++i];
    else if (a === "--name" && value) opts.name = argv[++i];
    else if (a === "--threads" && value) i++; // ignored
    else {
      process.stderr.write(USAGE);
      process.exit(2);
    }
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`socketio_ops: bad port ${opts.port}\n`);
    process.exit(2);
  }
  return { port, name: opts.name };
}

const { port, name } = parseArgs(process.argv.slice(2));

const httpServer = http.createServer((req, res) => {
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("Not Found");
});

const io = new Server(httpServer, { path: "/socket.io/", serveClient: false });
io.engine.use((req, res, next) => {
  const user = new URL(req.url, "http://localhost").searchParams.get("user");
  if (user !== null) req.user = user;
  next();
});

/** A room or a list of rooms (absent = none). */
const strings = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);

/** nsp.to(rooms).except(except), from the socket when `broadcast`, local / volatile flags. */
function target(socket, spec = {}) {
  let op = spec.broadcast ? socket.broadcast : socket.nsp.to([]);
  if (spec.local) op = op.local;
  if (spec.volatile) op = op.volatile;
  return op.to(strings(spec.rooms)).except(strings(spec.except));
}

/** The ack callback: the last argument when it is a function. */
function split(args) {
  const ack = typeof args[args.length - 1] === "function" ? args.pop() : () => {};
  return [args, ack];
}

function handlers(socket) {
  socket.on("me", (...a) => {
    const [, ack] = split(a);
    ack({ node: socket.data.node, nsp: socket.nsp.name, id: socket.id, rooms: [...socket.rooms], data: socket.data });
  });
  socket.on("join", (...a) => {
    const [[rooms], ack] = split(a);
    socket.join(strings(rooms));
    ack();
  });
  socket.on("leave", (...a) => {
    const [[rooms], ack] = split(a);
    for (const r of strings(rooms)) socket.leave(r);
    ack();
  });
  socket.on("emit", (...a) => {
    const [[spec = {}], ack] = split(a);
    target(socket, spec).emit(spec.event, ...(spec.args ?? []));
    ack();
  });
  socket.on("emit-ack", (...a) => {
    const [[spec = {}], ack] = split(a);
    target(socket, spec)
      .timeout(spec.timeout)
      .emit(spec.event, ...(spec.args ?? []), (err, responses) => {
        ack({ error: err ? err.message : null, responses });
      });
  });
  socket.on("sjoin", (...a) => {
    const [[spec = {}], ack] = split(a);
    target(socket, spec).socketsJoin(strings(spec.target));
    ack();
  });
  socket.on("sleave", (...a) => {
    const [[spec = {}], ack] = split(a);
    target(socket, spec).socketsLeave(strings(spec.target));
    ack();
  });
  socket.on("kick", (...a) => {
    const [[spec = {}], ack] = split(a);
    ack();
    target(socket, spec).disconnectSockets(Boolean(spec.close));
  });
  socket.on("fetch", async (...a) => {
    const [[spec = {}], ack] = split(a);
    const sockets = await target(socket, spec).fetchSockets();
    ack(sockets.map((s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, handshake: s.handshake })));
  });
  socket.on("sse", (...a) => {
    const [[spec = {}], ack] = split(a);
    const args = spec.args ?? [];
    if (!spec.ack) {
      socket.nsp.serverSideEmit(spec.event, ...args);
      return ack();
    }
    socket.nsp.serverSideEmit(spec.event, ...args, (err, replies) => {
      ack({ error: err ? err.message : null, replies });
    });
  });
  socket.on("count", async (...a) => {
    const [, ack] = split(a);
    ack(await socket.nsp.adapter.serverCount());
  });
  socket.on("emit-self", (...a) => {
    const [[spec = {}], ack] = split(a);
    const s = socket.compress(spec.compress === true);
    (spec.volatile ? s.volatile : s).emit(spec.event, ...(spec.args ?? []));
    ack();
  });
  socket.on("request-user", (...a) => {
    const [, ack] = split(a);
    ack(socket.request.user ?? null);
  });
  socket.on("conn-watch", (...a) => {
    const [, ack] = split(a);
    const log = [];
    const digit = { open: 0, close: 1, ping: 2, pong: 3, message: 4, upgrade: 5, noop: 6 };
    const { conn } = socket;
    conn.on("packet", (p) => log.push(`packet:${digit[p.type]}`));
    conn.on("packetCreate", (p) => log.push(`create:${digit[p.type]}`));
    conn.on("flush", (q) => log.push(`flush:${q.length}`));
    conn.on("drain", () => log.push("drain"));
    conn.on("heartbeat", () => log.push("heartbeat"));
    conn.on("upgrading", () => log.push("upgrading"));
    conn.on("upgrade", () => log.push("upgrade"));
    socket.on("conn-log", (...b) => split(b)[1]([...log]));
    ack();
  });
  socket.on("lookup", (...a) => {
    const [[{ room, id } = {}], ack] = split(a);
    const { sockets, adapter } = socket.nsp;
    const rooms = adapter.socketRooms(id);
    ack({
      ids: [...sockets.keys()].sort(),
      count: sockets.size,
      members: [...(adapter.rooms.get(room) ?? [])].sort(),
      rooms: rooms ? [...rooms].sort() : null,
    });
  });
  socket.on("rooms", async (...a) => {
    const [, ack] = split(a);
    // allRooms() is the cluster adapters' (RedisAdapter, ClusterAdapter); the
    // in-memory adapter of socket.io-adapter 2.5 has only its `rooms` map.
    const adapter = socket.nsp.adapter;
    const rooms = typeof adapter.allRooms === "function" ? await adapter.allRooms() : adapter.rooms.keys();
    ack([...rooms]);
  });
  socket.on("remote", async (...a) => {
    const [[spec = {}], ack] = split(a);
    const sockets = await target(socket, spec).fetchSockets();
    if (spec.action === "ask") {
      const ask = (s) =>
        s.timeout(spec.timeout).emitWithAck(spec.event, ...(spec.args ?? [])).then(
          (response) => ({ error: null, response }),
          (e) => ({ error: e.message, response: null }),
        );
      return ack(await Promise.all(sockets.map(ask)));
    }
    for (const s of sockets) {
      try {
        if (spec.action === "emit") s.emit(spec.event, ...(spec.args ?? []));
        if (spec.action === "join") s.join(spec.room);
        if (spec.action === "leave") s.leave(spec.room);
        if (spec.action === "disconnect") s.disconnect(Boolean(spec.close));
      } catch (e) {
        // emit of a reserved event name ("disconnect", ...) throws: nothing is sent
        process.stderr.write(`socketio_ops: remote ${spec.action}: ${e.message}\n`);
      }
    }
    ack();
  });
  socketApi(socket);
}

/** The socket API checks: middleware, once, off, onAny, onAnyOutgoing, a throwing handler, disconnecting. */
function socketApi(socket) {
  socket.use(([event], next) => {
    if (event === "blocked") return next(new Error("blocked by middleware"));
    next();
  });
  socket.on("error", (err) => {
    socket.emit("middleware-error", err.message);
    socket.to("watchers").emit("socket-error", { id: socket.id, message: err.message });
  });
  socket.once("once-only", (...a) => {
    const [, ack] = split(a);
    ack("first");
  });
  socket.on("dropped", (...a) => {
    const [, ack] = split(a);
    ack("present");
  });
  socket.on("drop-handler", (...a) => {
    const [, ack] = split(a);
    socket.removeAllListeners("dropped");
    ack();
  });
  let last = null;
  socket.onAny((event, ...args) => {
    // args as socket.io passes them: with the ack callback last when the event has one
    if (event !== "last-any") last = { event, args };
  });
  socket.on("last-any", (...a) => {
    const [, ack] = split(a);
    ack(last);
  });
  const outgoing = [];
  socket.onAnyOutgoing((event) => {
    outgoing.push(event);
  });
  socket.on("outgoing", (...a) => {
    const [, ack] = split(a);
    ack([...outgoing]);
  });
  socket.on("throw", () => {
    // Here Node differs from sio-cpp: an uncaught exception in a socket.io
    // listener is not caught by socket.io and crashes the Node process. The
    // twin catches it to behave as the C++ server documents (the failure is
    // logged, nothing is acked, the connection stays up).
    try {
      throw new Error("handler failure");
    } catch (e) {
      process.stderr.write(`socketio_ops: "throw" handler threw: ${e.message}\n`);
    }
  });
  socket.on("disconnecting", (reason) => {
    socket.to("watchers").emit("bye", { id: socket.id, rooms: [...socket.rooms], reason });
  });
}

const created = []; // names new_namespace announced
io.on("new_namespace", (nsp) => created.push(nsp.name));
const dynamic = io.of(/^\/dyn-\d+$/);
const lookedUp = io.of((name, auth, next) => {
  const accepted = /^\/lookup-\d*[02468]$/.test(name);
  setTimeout(() => next(null, accepted), 20);
});
for (const nsp of [io.of("/"), io.of("/chat"), dynamic, io.of(/^\/find-\d+/), lookedUp]) {
  nsp.use((socket, next) => {
    socket.data = { name: socket.handshake.auth?.name ?? null, node: name };
    next();
  });
  nsp.on("connection", handlers);
  nsp.on("connection", (socket) => {
    socket.on("parent-emit", (...a) => {
      const [[spec = {}], ack] = split(a);
      dynamic.emit(spec.event, ...(spec.args ?? []));
      ack();
    });
  });
}

io.of("/dyn-0").on("connection", (socket) => socket.join("explicit"));
// Room events of /chat for rooms named "re-*", a socket shown by its auth name.
const roomEvents = [];
const names = new Map(); // socket id -> auth name
const record = (what, room, id) => {
  if (room.startsWith("re-")) roomEvents.push([what, room, ...(id ? [names.get(id)] : [])].join(" "));
};
const chatRooms = io.of("/chat").adapter;
chatRooms.on("create-room", (room) => record("create", room));
chatRooms.on("delete-room", (room) => record("delete", room));
chatRooms.on("join-room", (room, id) => record("join", room, id));
chatRooms.on("leave-room", (room, id) => record("leave", room, id));
io.of("/chat").on("connection", (socket) => {
  names.set(socket.id, typeof socket.handshake.auth?.name === "string" ? socket.handshake.auth.name : "");
  socket.on("room-events", (...a) => {
    const [, ack] = split(a);
    ack([...roomEvents]);
  });
});
io.of("/").on("connection", (socket) => {
  socket.on("new-namespaces", (...a) => {
    const [, ack] = split(a);
    ack([...created]);
  });
});

for (const guarded of [io.of("/guarded"), io.of(/^\/guarded-\d+$/)]) {
  guarded.use((socket, next) => {
    if (socket.handshake.auth?.token === "ok") {
      if (typeof socket.handshake.auth.room === "string") socket.join(socket.handshake.auth.room);
      return next();
    }
    const err = new Error("not authorized");
    err.data = { code: 42, hint: "send a token" };
    next(err);
  });
  guarded.on("connection", handlers);
}

httpServer.listen(port, "127.0.0.1", () => {
  const bound = httpServer.address().port;
  process.stdout.write(`socketio_ops listening on http://127.0.0.1:${bound}/socket.io/\n`);
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
