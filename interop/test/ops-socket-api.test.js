// The socket API of the socketio_ops server, driven by socket.io-client 4.x
// clients over mixed transports, on cpp, cpp-2 (two shards) and node
// (socket.io 4.8, the reference): a namespace middleware refusing with
// data (/guarded), a socket middleware and the socket's "error" listener,
// once, off, onAny, onAnyOutgoing, a throwing handler, and "disconnecting"
// (rooms and reason) for each way a socket leaves. See the header of
// servers/socketio_ops.js for the events.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OPS_TARGETS } from "../lib/server.js";
import { skipReason, useServer } from "../lib/fixture.js";
import { connect, connectOn, manager } from "../lib/ops.js";
import { sleep } from "../lib/time.js";
import { openSioWs, closesWithin } from "../lib/sio-raw.js";
import { request, eioPath } from "../lib/raw.js";

const NODE_NAME = "n1";
const T = { timeout: 20_000 };
/** How long to wait for an ack that must not come. */
const NO_ACK_MS = 300;

const sorted = (xs) => [...xs].sort();

let fresh = 0;
/** A dynamic child no earlier test used: /dyn-<pid><n>. */
const freshChild = () => `/dyn-${process.pid}${++fresh}`;

/** Emits `event` with an ack and asserts that no ack comes within NO_ACK_MS. */
async function noAck(c, event, ...args) {
  await assert.rejects(
    c.socket.timeout(NO_ACK_MS).emitWithAck(event, ...args),
    { message: "operation has timed out" },
    `${c.label}: "${event}" must not be acked`,
  );
}

/**
 * A raw polling session on "/" asks for `event` with a 2000-character argument, emitted with
 * `compress`: the Content-Encoding of the poll that carries it (Accept-Encoding: gzip).
 */
async function pollEncoding(server, compress) {
  const path = (q) => eioPath({ EIO: "4", transport: "polling", ...q }, "/socket.io/");
  const open = await request(server, { path: path({}) });
  const sid = JSON.parse(open.text.slice(1)).sid;
  const send = (body) =>
    request(server, { method: "POST", path: path({ sid }), headers: { "content-type": "text/plain" }, body });
  await send("40");
  const joined = await request(server, { path: path({ sid }) });
  assert.match(joined.text, /^40\{"sid"/);
  const spec = { event: "big", args: ["x".repeat(2000)], compress };
  await send(`42${JSON.stringify(["emit-self", spec])}`); // no ack asked: only the event comes
  const res = await request(server, { path: path({ sid }), headers: { "accept-encoding": "gzip" } });
  await send("1");
  return res.headers["content-encoding"] ?? null;
}

/** The `event` entries `c` received (their args). */
const received = (c, event) => c.log.filter((e) => e.event === event).map((e) => e.args);

for (const target of OPS_TARGETS) {
  describe(`socketio_ops socket API [${target.name}]`, { skip: skipReason(target) }, () => {
    const server = useServer(target, ["--name", NODE_NAME]);

    it("socket.compress(false): the poll answer carrying only that event is not compressed", T, async () => {
      assert.equal(await pollEncoding(server, true), "gzip");
      assert.equal(await pollEncoding(server, false), null);
    });

    it("socket.volatile: sent when the transport is free, the flag gone after that emit", T, async (t) => {
      const A = await connect(t, server, "A", { transport: "websocket" });
      await A.call("emit-self", { event: "v", args: [1], compress: true, volatile: true });
      await A.call("emit-self", { event: "v", args: [2], compress: true });
      assert.deepEqual(received(A, "v"), [[1], [2]]);
    });

    for (const transport of ["websocket", "polling"]) {
      it(`an engine middleware attaches a value to the ${transport} handshake: socket.request`, T, async (t) => {
        const m = manager(t, server, transport, { query: { user: "ann" } });
        const U = await connectOn(m, "U", "/");
        assert.deepEqual(await U.call("request-user"), ["ann"]);
        const A = await connect(t, server, "A", { transport });
        assert.deepEqual(await A.call("request-user"), [null]);
      });

      it(`socket.conn events over ${transport}: packetCreate, flush, drain, then packet`, T, async (t) => {
        const A = await connect(t, server, "A", { transport });
        await A.call("conn-watch");
        assert.deepEqual((await A.call("conn-log"))[0], ["create:4", "flush:1", "drain", "packet:4"]);
      });
    }

    describe("/guarded: a namespace middleware refusing with data", () => {
      for (const [transport, auth] of [
        ["websocket", undefined],
        ["polling", { token: "bad" }],
        ["default", { name: "x" }],
      ]) {
        it(`${transport}, auth ${JSON.stringify(auth)}: connect_error "not authorized" with its data`, T, async (t) => {
          await assert.rejects(connect(t, server, "X", { nsp: "/guarded", transport, auth }), (e) => {
            assert.equal(e.message, "not authorized");
            assert.deepEqual(e.data, { code: 42, hint: "send a token" });
            return true;
          });
        });
      }

      for (const transport of ["websocket", "polling", "default"]) {
        it(`${transport}, auth {token: "ok"}: connects and me works`, T, async (t) => {
          const G = await connect(t, server, "G", { nsp: "/guarded", transport, auth: { token: "ok" } });
          const me = await G.me();
          // /guarded has no data middleware: socket.data is socket.io's default ({}).
          // Only the `node` field (socket.data.node) is left out: undefined in Node,
          // so the key is dropped from the JSON, where a C++ value has no undefined.
          const { node, ...rest } = me;
          t.diagnostic(`me.node: ${JSON.stringify(node)} (node: the key is absent)`);
          assert.deepEqual(rest, { nsp: "/guarded", id: G.id, rooms: [G.id], data: {} });
        });
      }

      it("a room joined in the middleware is the socket's once it connects", T, async (t) => {
        const auth = { token: "ok", room: `vip-${process.pid}` };
        const G = await connect(t, server, "G", { nsp: "/guarded", transport: "websocket", auth });
        const H = await connect(t, server, "H", { nsp: "/guarded", transport: "polling", auth: { token: "ok" } });
        assert.deepEqual(sorted((await G.me()).rooms), sorted([G.id, auth.room]));
        await H.call("emit", { rooms: [auth.room], event: "hello", args: ["vip"] });
        await G.until(() => G.got("hello", "vip").length === 1, 5000, "hello to the room");
        assert.equal(H.got("hello", "vip").length, 0);
      });

      it("refused on a shared connection, the other namespaces keep working", T, async (t) => {
        const mgr = manager(t, server, "websocket");
        const A = await connectOn(mgr, "A", "/");
        await assert.rejects(connectOn(mgr, "X", "/guarded"), (e) => {
          assert.equal(e.message, "not authorized");
          assert.deepEqual(e.data, { code: 42, hint: "send a token" });
          return true;
        });
        // (the Manager keeps the refused /guarded socket: a second try on it would reuse
        // its auth, so the shared connection is checked with /chat)
        const C = await connectOn(mgr, "C", "/chat");
        assert.equal((await A.me()).nsp, "/");
        assert.equal((await C.me()).nsp, "/chat");
        assert.deepEqual([A.disconnects, C.disconnects], [[], []]);
      });
    });

    describe("socket middleware", () => {
      for (const transport of ["websocket", "polling", "default"]) {
        it(`${transport}: "blocked" is refused: middleware-error, no ack; other events still work`, T, async (t) => {
          const A = await connect(t, server, "A", { transport });
          await noAck(A, "blocked", 1, { x: "y" });
          await A.until(() => received(A, "middleware-error").length >= 1, 2000, "middleware-error");
          assert.deepEqual(received(A, "middleware-error"), [["blocked by middleware"]]);
          assert.equal((await A.me()).id, A.id);
          assert.deepEqual(await A.call("dropped"), ["present"]);
          // without an ack too; the connection stays up
          A.socket.emit("blocked");
          await A.until(() => received(A, "middleware-error").length >= 2, 2000, "second middleware-error");
          assert.deepEqual(received(A, "middleware-error"), [["blocked by middleware"], ["blocked by middleware"]]);
          assert.equal((await A.me()).id, A.id);
          assert.deepEqual(A.disconnects, []);
        });
      }
    });

    it("once: the first once-only acks \"first\", later ones never ack", T, async (t) => {
      const A = await connect(t, server, "A", { transport: "polling" });
      assert.deepEqual(await A.call("once-only"), ["first"]);
      await noAck(A, "once-only");
      await noAck(A, "once-only", 1);
      assert.equal((await A.me()).id, A.id);
      // once is per socket: another socket still gets its first ack
      const B = await connect(t, server, "B", { transport: "websocket" });
      assert.deepEqual(await B.call("once-only"), ["first"]);
      await noAck(B, "once-only");
    });

    it("off: dropped acks \"present\" until drop-handler removed it", T, async (t) => {
      const A = await connect(t, server, "A", { transport: "default" });
      const B = await connect(t, server, "B", { transport: "websocket" });
      assert.deepEqual(await A.call("dropped"), ["present"]);
      assert.deepEqual(await A.call("dropped"), ["present"]);
      assert.deepEqual(await A.call("drop-handler"), []);
      await noAck(A, "dropped");
      // removing again is harmless; the other handlers and sockets are untouched
      assert.deepEqual(await A.call("drop-handler"), []);
      await noAck(A, "dropped");
      assert.equal((await A.me()).id, A.id);
      assert.deepEqual(await B.call("dropped"), ["present"]);
    });

    describe("onAny", () => {
      it("last-any: the name and args of the last event (without an ack)", T, async (t) => {
        const A = await connect(t, server, "A", { transport: "websocket" });
        assert.deepEqual(await A.call("last-any"), [null], "nothing seen yet");
        A.socket.emit("message-x", 1, "a", { b: true });
        assert.deepEqual(await A.call("last-any"), [{ event: "message-x", args: [1, "a", { b: true }] }]);
        // an event without arguments, and one refused by the socket middleware: onAny runs
        // before the middlewares in socket.io (Socket.onevent), so it sees it too
        A.socket.emit("no-args");
        assert.deepEqual(await A.call("last-any"), [{ event: "no-args", args: [] }]);
        A.socket.emit("blocked", 5);
        assert.deepEqual(await A.call("last-any"), [{ event: "blocked", args: [5] }]);
        // a handled event counts too (dropped); last-any itself does not
        A.socket.emit("dropped");
        await A.call("last-any");
        assert.deepEqual(await A.call("last-any"), [{ event: "dropped", args: [] }]);
      });

      it("last-any: an event sent with an ack", T, async (t) => {
        const A = await connect(t, server, "A", { transport: "polling" });
        // message-x has no handler: its ack is never called
        await noAck(A, "message-x", 1, "a", { b: true });
        const [got] = await A.call("last-any");
        // Node's onAny gets the ack callback as the last argument; JSON encodes the
        // function as null. The C++ catch-all sees the arguments only (the ack is a
        // separate parameter): a documented difference, asserted per target.
        const withAck = (args) => (target.name === "node" ? [...args, null] : args);
        assert.deepEqual(got, { event: "message-x", args: withAck([1, "a", { b: true }]) });
        // the same for a handled event acked by its handler
        await A.me();
        assert.deepEqual(await A.call("last-any"), [{ event: "me", args: withAck([]) }]);
      });
    });

    describe("onAnyOutgoing", () => {
      it("outgoing lists the events emitted to the socket, in order", T, async (t) => {
        const A = await connect(t, server, "A", { transport: "default" });
        assert.deepEqual(await A.call("outgoing"), [[]], "nothing sent yet");
        A.socket.emit("blocked");
        await noAck(A, "blocked");
        await A.until(() => received(A, "middleware-error").length >= 2, 2000, "middleware-error x2");
        // acks are not events: me, dropped and outgoing itself are not listed
        await A.me();
        assert.deepEqual(await A.call("outgoing"), [["middleware-error", "middleware-error"]]);
      });

      it("broadcasts reaching the socket are listed too", T, async (t) => {
        // socket.io-adapter calls notifyOutgoingListeners on every socket a
        // broadcast (emit, emit with ack) is written to.
        const A = await connect(t, server, "A", { nsp: freshChild(), transport: "websocket" });
        A.socket.emit("blocked");
        await A.until(() => received(A, "middleware-error").length >= 1, 2000, "middleware-error");
        await A.call("emit", { rooms: [A.id], event: "bc-1", args: [1] });
        await A.call("emit", { rooms: [], event: "bc-2", args: [] });
        A.socket.on("bc-3", (...args) => args.pop()?.("ok"));
        const [acked] = await A.call("emit-ack", { rooms: [A.id], event: "bc-3", args: [], timeout: 2000 });
        assert.deepEqual(acked, { error: null, responses: ["ok"] });
        await A.until(() => received(A, "bc-2").length >= 1, 2000, "bc-2");
        assert.deepEqual(await A.call("outgoing"), [["middleware-error", "bc-1", "bc-2", "bc-3"]]);
      });
    });

    for (const transport of ["websocket", "polling", "default"]) {
      it(`${transport}: a throwing handler: no ack, the connection stays up`, T, async (t) => {
        const mgr = manager(t, server, transport);
        const A = await connectOn(mgr, "A", "/");
        const C = await connectOn(mgr, "C", "/chat");
        await noAck(A, "throw");
        A.socket.emit("throw", 1, 2);
        assert.equal((await A.me()).id, A.id);
        assert.deepEqual(await A.call("once-only"), ["first"]);
        assert.equal((await C.me()).nsp, "/chat");
        await sleep(100);
        assert.deepEqual([A.disconnects, C.disconnects], [[], []]);
      });
    }

    it("every namespace has the socket API handlers (/chat, a dynamic child, /guarded)", T, async (t) => {
      for (const [nsp, transport, auth] of [
        ["/chat", "polling", undefined],
        [freshChild(), "websocket", undefined],
        ["/guarded", "default", { token: "ok" }],
      ]) {
        const A = await connect(t, server, `A${nsp}`, { nsp, transport, auth });
        await noAck(A, "blocked");
        await A.until(() => received(A, "middleware-error").length >= 1, 2000, `${nsp} middleware-error`);
        assert.deepEqual(await A.call("once-only"), ["first"], nsp);
        await noAck(A, "once-only");
        assert.deepEqual(await A.call("dropped"), ["present"], nsp);
        A.socket.emit("message-x", nsp);
        assert.deepEqual(await A.call("last-any"), [{ event: "message-x", args: [nsp] }], nsp);
        assert.deepEqual(await A.call("outgoing"), [["middleware-error"]], nsp);
        await noAck(A, "throw");
        assert.equal((await A.me()).nsp, nsp);
      }
    });

    it("a packet that cannot be decoded reaches the error listeners, then the connection closes", T, async (t) => {
      const W = await connect(t, server, "W", { transport: "websocket" });
      await W.call("join", "watchers");
      const x = await openSioWs(server);
      t.after(() => x.close());
      x.send("40");
      const { sid } = JSON.parse((await x.next()).slice(2));
      x.send('42["unfinished"');
      assert.ok(await closesWithin(x, 5000), "the connection closes");
      const errorOf = () => W.log.filter((e) => e.event === "socket-error" && e.args[0]?.id === sid);
      await W.until(() => errorOf().length > 0, 5000, "socket-error");
      const byeOf = () => W.log.filter((e) => e.event === "bye" && e.args[0]?.id === sid);
      await W.until(() => byeOf().length > 0, 5000, "bye");
      assert.deepEqual(errorOf()[0].args, [{ id: sid, message: "invalid payload" }]);
      assert.equal(byeOf()[0].args[0].reason, "forced close");
    });

    describe("disconnecting: bye to the watchers with the rooms and the reason", () => {
      /**
       * W (websocket) watches; X (transport) joins r1 and r2 and leaves by `leave(X, K)`
       * (K: a websocket kicker). Resolves with W's bye about X and X's client-side reason.
       */
      async function byeOf(t, transport, leave) {
        const W = await connect(t, server, "W", { transport: "websocket" });
        const K = await connect(t, server, "K", { transport: "websocket" });
        await W.call("join", "watchers");
        const X = await connect(t, server, "X", { transport });
        const id = X.id;
        await X.call("join", ["r1", "r2"]);
        await leave(X, K);
        const [reason] = await Promise.all([
          X.nextDisconnect().then((d) => d.reason),
          W.until(() => W.log.some((e) => e.event === "bye" && e.args[0]?.id === id), 5000, `bye of ${id}`),
        ]);
        await sleep(100);
        const byes = W.log.filter((e) => e.event === "bye" && e.args[0]?.id === id).map((e) => e.args);
        assert.equal(byes.length, 1, `one bye: ${JSON.stringify(byes)}`);
        assert.equal(byes[0].length, 1, "bye has one argument");
        const bye = byes[0][0];
        assert.deepEqual(sorted(Object.keys(bye)), ["id", "reason", "rooms"]);
        assert.deepEqual(sorted(bye.rooms), sorted([id, "r1", "r2"]), "rooms (a set)");
        // socket.io lists the own id first, then the rooms in join order: only reported.
        const order = [id, "r1", "r2"];
        if (JSON.stringify(bye.rooms) !== JSON.stringify(order)) {
          t.diagnostic(`rooms order ${JSON.stringify(bye.rooms.map((r) => (r === id ? "<id>" : r)))} (socket.io: <id>, r1, r2)`);
        }
        assert.equal((await W.me()).id, W.id, "W still served");
        return { reason: bye.reason, client: reason };
      }

      for (const transport of ["websocket", "polling", "default"]) {
        it(`${transport}: x.disconnect() -> "client namespace disconnect"`, T, async (t) => {
          const got = await byeOf(t, transport, (X) => X.socket.disconnect());
          assert.deepEqual(got, { reason: "client namespace disconnect", client: "io client disconnect" });
        });

        it(`${transport}: kicked (disconnectSockets) -> "server namespace disconnect"`, T, async (t) => {
          const got = await byeOf(t, transport, (X, K) => K.call("kick", { rooms: ["r1"] }));
          assert.deepEqual(got, { reason: "server namespace disconnect", client: "io server disconnect" });
        });

        it(`${transport}: kicked with close -> "server namespace disconnect"`, T, async (t) => {
          const got = await byeOf(t, transport, (X, K) => K.call("kick", { rooms: ["r1"], close: true }));
          assert.deepEqual(got, { reason: "server namespace disconnect", client: "io server disconnect" });
        });

        it(`${transport}: the client closes its transport -> "transport close"`, T, async (t) => {
          // x.io.engine.close(): a WebSocket close, or a polling close packet; the
          // client itself reports "forced close".
          const got = await byeOf(t, transport, (X) => X.socket.io.engine.close());
          assert.deepEqual(got, { reason: "transport close", client: "forced close" });
        });
      }
      // A client that stops answering pings ("ping timeout") is not covered: the
      // server's pingInterval is socket.io's default, 25 s.
    });
  });
}
