// The cluster-facing queries of the socketio_ops server: fetchSockets (and
// the RemoteSocket actions on its result), serverSideEmit, the adapter's
// serverCount and rooms, driven by socket.io-client 4.x clients over mixed
// transports (websocket only, polling only, default = polling then upgrade)
// on cpp, cpp-2 (two shards) and node (socket.io 4.8, the reference). Every
// case asserts what socket.io 4.8 does, except where a `cppExpect` documents
// a deliberate difference; see servers/socketio_ops.js for the event table.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { OPS_TARGETS } from "../lib/server.js";
import { skipReason, useServer } from "../lib/fixture.js";
import { connect, connectOn, deliveries, fence, manager, only, plain, settle, uniq } from "../lib/ops.js";
import { sleep } from "../lib/time.js";

const NODE_NAME = "n1";
const T = { timeout: 20_000 };
/** How long an answer that never comes is waited for. */
const NO_ANSWER_MS = 300;

const sorted = (xs) => [...xs].sort();

/** `client.socket.emit(event, ...args, ack)`: the ack's arguments, or "no answer" after `ms`. */
function answerWithin(client, ms, event, ...args) {
  return Promise.race([
    new Promise((resolve) => client.socket.emit(event, ...args, (...res) => resolve(res))),
    sleep(ms).then(() => "no answer"),
  ]);
}

for (const target of OPS_TARGETS) {
  const isCpp = Boolean(target.binary);

  describe(`socketio_ops cluster queries [${target.name}]`, { skip: skipReason(target) }, () => {
    const server = useServer(target, ["--name", NODE_NAME]);

    /**
     * A (websocket, auth alice) in r1, B (polling, auth bob) in r1 and r2,
     * C (default, no auth) in no room, all on "/"; D (polling, auth dave) on
     * "/chat" in r1. Waits until each namespace holds exactly these.
     */
    async function quad(t) {
      const [A, B, C, D] = await Promise.all([
        connect(t, server, "A", { transport: "websocket", auth: { name: "alice" } }),
        connect(t, server, "B", { transport: "polling", auth: { name: "bob" } }),
        connect(t, server, "C", { transport: "default" }),
        connect(t, server, "D", { nsp: "/chat", transport: "polling", auth: { name: "dave" } }),
      ]);
      await A.call("join", "r1");
      await B.call("join", ["r1", "r2"]);
      await D.call("join", "r1");
      await settle(A, [A, B, C]);
      await settle(D, [D]);
      return [A, B, C, D];
    }

    /** Labels of the sockets `sender` fetches with `spec` (sorted; unknown ids as "?<id>"). */
    async function fetched(sender, spec, clients) {
      const [res] = await sender.call("fetch", spec);
      assert.ok(Array.isArray(res), `fetch answer ${JSON.stringify(res)}`);
      const label = new Map(clients.map((c) => [c.id, c.label]));
      return sorted(res.map((s) => label.get(s.id) ?? `?${s.id}`));
    }

    describe("fetchSockets", () => {
      it("selects the sockets a broadcast would reach, each once", T, async (t) => {
        const [A, B, C, D] = await quad(t);
        const all = [A, B, C, D];
        const cases = [
          ["in []", A, { rooms: [] }, ["A", "B", "C"]],
          ["in [r1]", C, { rooms: ["r1"] }, ["A", "B"]],
          ["in [r1, r2]", C, { rooms: ["r1", "r2"] }, ["A", "B"]],
          ["in r2 (string)", C, { rooms: "r2" }, ["B"]],
          ["in [r1] except [r2]", C, { rooms: ["r1"], except: ["r2"] }, ["A"]],
          ["in [] except [r1]", A, { rooms: [], except: ["r1"] }, ["C"]],
          ["in [] except [A's id]", A, { rooms: [], except: [A.id] }, ["B", "C"]],
          ["in [B's id]", A, { rooms: [B.id] }, ["B"]],
          ["in [nobody]", A, { rooms: ["nobody"] }, []],
          ["local in [r1]", C, { rooms: ["r1"], local: true }, ["A", "B"]],
          ["socket.broadcast from A", A, { rooms: [], broadcast: true }, ["B", "C"]],
          ["socket.to(r1) from A", A, { rooms: ["r1"], broadcast: true }, ["B"]],
          ["/chat in []", D, { rooms: [] }, ["D"]],
          ["/chat in [r1]", D, { rooms: ["r1"] }, ["D"]],
          ["/chat in [A's id] (a / socket)", D, { rooms: [A.id] }, []],
        ];
        for (const [name, sender, spec, expected] of cases) {
          assert.deepEqual(await fetched(sender, spec, all), expected, name);
        }
      });

      it("reports each socket's id, rooms, data and handshake", T, async (t) => {
        const t0 = Date.now();
        const [A, B, C, D] = await quad(t);
        const t1 = Date.now();
        const [main] = await C.call("fetch", { rooms: [] });
        const [chat] = await D.call("fetch", { rooms: [] });
        const byId = new Map([...main, ...chat].map((s) => [s.id, s]));
        const want = [
          [A, { name: "alice" }, "websocket"],
          [B, { name: "bob" }, "polling"],
          [C, undefined, "polling"],
          [D, { name: "dave" }, "polling"],
        ];
        for (const [c, auth, first] of want) {
          const got = byId.get(c.id);
          assert.ok(got, `${c.label} fetched`);
          assert.deepEqual(sorted(Object.keys(got)), ["data", "handshake", "id", "rooms"], `${c.label} keys`);
          const me = await c.me();
          assert.deepEqual(sorted(got.rooms), sorted(me.rooms), `${c.label} rooms (as me)`);
          // socket.io lists the own id first, then the rooms in join order: only reported.
          if (JSON.stringify(got.rooms) !== JSON.stringify(me.rooms)) {
            t.diagnostic(`${c.label} fetched rooms order ${JSON.stringify(got.rooms)} (me: ${JSON.stringify(me.rooms)})`);
          }
          assert.deepEqual(got.data, { name: auth?.name ?? null, node: NODE_NAME }, `${c.label} data`);

          const hs = got.handshake;
          const what = `${c.label} handshake ${JSON.stringify(hs)}`;
          assert.deepEqual(
            sorted(Object.keys(hs)),
            ["address", "auth", "headers", "issued", "query", "secure", "time", "url", "xdomain"],
            what,
          );
          assert.deepEqual(hs.auth, auth ?? {}, `${what}: auth`);
          assert.equal(hs.address, "127.0.0.1", `${what}: address`);
          assert.equal(hs.xdomain, false, `${what}: xdomain`);
          assert.equal(hs.secure, false, `${what}: secure`);
          // the first HTTP request of the Engine.IO connection
          if (first === "websocket") {
            assert.deepEqual(hs.query, { EIO: "4", transport: "websocket" }, `${what}: query`);
            assert.equal(hs.url, "/socket.io/?EIO=4&transport=websocket", `${what}: url`);
            assert.match(hs.headers["sec-websocket-key"] ?? "", /^[A-Za-z0-9+/]{22}==$/, `${what}: key`);
            assert.deepEqual(
              { ...hs.headers, "sec-websocket-key": "<key>" },
              {
                "sec-websocket-version": "13",
                "sec-websocket-key": "<key>",
                connection: "Upgrade",
                upgrade: "websocket",
                "sec-websocket-extensions": "permessage-deflate; client_max_window_bits",
                host: `127.0.0.1:${server.port}`,
              },
              `${what}: headers`,
            );
          } else {
            assert.equal(typeof hs.query.t, "string", `${what}: query.t`);
            assert.deepEqual(hs.query, { EIO: "4", transport: "polling", t: hs.query.t }, `${what}: query`);
            assert.equal(hs.url, `/socket.io/?EIO=4&transport=polling&t=${hs.query.t}`, `${what}: url`);
            assert.deepEqual(
              hs.headers,
              { "user-agent": "node-XMLHttpRequest", accept: "*/*", host: `127.0.0.1:${server.port}`, connection: "close" },
              `${what}: headers`,
            );
          }
          // time (Date#toString()) and issued (ms) differ per socket: only their form and range.
          assert.ok(Number.isInteger(hs.issued) && hs.issued >= t0 - 1000 && hs.issued <= t1 + 1000, `${what}: issued`);
          const time = Date.parse(hs.time);
          assert.equal(new Date(time).toString(), hs.time, `${what}: time is a Date#toString()`);
          assert.ok(hs.issued - time > -1000 && hs.issued - time < 2000, `${what}: time vs issued`);
        }
      });

      it("handshake: query parameters decoded, extra headers, Origin sets xdomain", T, async (t) => {
        const q = { foo: "a b&c=d", ü: "é+%", empty: "", n: 5 };
        const extraHeaders = { "X-Custom": "Hi there", Origin: "http://example.com" };
        const Q = await connect(t, server, "Q", { transport: "websocket" });
        // connect() has no query / header options: plain clients, closed after the test
        const open = (label, opts) => {
          const s = io(`${server.base}/`, { forceNew: true, reconnection: false, timeout: 5000, ...opts });
          t.after(() => s.disconnect());
          return new Promise((resolve, reject) => {
            s.once("connect", () => resolve(s));
            s.once("connect_error", reject);
          });
        };
        const [W, P, O] = await Promise.all([
          open("W", { transports: ["websocket"], query: q }),
          open("P", { transports: ["polling"], query: { x: "1", y: "é" }, extraHeaders }),
          open("O", { transports: ["websocket"], extraHeaders: { ...extraHeaders, "X-Forwarded-For": "10.1.2.3" } }),
        ]);
        const hs = async (s) => {
          const [res] = await Q.call("fetch", { rooms: [s.id] });
          assert.equal(res.length, 1);
          return res[0].handshake;
        };
        const w = await hs(W);
        assert.equal(w.url, "/socket.io/?foo=a%20b%26c%3Dd&%C3%BC=%C3%A9%2B%25&empty=&n=5&EIO=4&transport=websocket");
        assert.deepEqual(w.query, { foo: "a b&c=d", ü: "é+%", empty: "", n: "5", EIO: "4", transport: "websocket" });
        assert.equal(w.xdomain, false);

        const p = await hs(P);
        assert.equal(p.url, `/socket.io/?x=1&y=%C3%A9&EIO=4&transport=polling&t=${p.query.t}`);
        assert.deepEqual(p.query, { x: "1", y: "é", EIO: "4", transport: "polling", t: p.query.t });
        assert.deepEqual(p.headers, {
          "user-agent": "node-XMLHttpRequest",
          accept: "*/*",
          "x-custom": "Hi there",
          origin: "http://example.com",
          host: `127.0.0.1:${server.port}`,
          connection: "close",
        });
        assert.equal(p.xdomain, true);

        const o = await hs(O);
        assert.equal(o.headers["x-custom"], "Hi there");
        assert.equal(o.headers.origin, "http://example.com");
        assert.equal(o.xdomain, true);
        assert.equal(o.address, "127.0.0.1", "the peer's address, X-Forwarded-For ignored");
        assert.equal(o.headers["x-forwarded-for"], "10.1.2.3");
      });

      it("sockets sharing a connection share its handshake, not their auth", T, async (t) => {
        const mgr = manager(t, server, "websocket");
        const E = await connectOn(mgr, "E", "/", { auth: { name: "eve" } });
        const E2 = await connectOn(mgr, "E2", "/chat", { auth: { name: "eve2", n: 2 } });
        const [[e]] = await E.call("fetch", { rooms: [E.id] });
        const [[e2]] = await E2.call("fetch", { rooms: [E2.id] });
        assert.equal(e.id, E.id);
        assert.equal(e2.id, E2.id);
        assert.deepEqual(e.handshake.auth, { name: "eve" });
        assert.deepEqual(e2.handshake.auth, { name: "eve2", n: 2 });
        assert.deepEqual(e2.data, { name: "eve2", node: NODE_NAME });
        for (const k of ["headers", "address", "xdomain", "secure", "url", "query"]) {
          assert.deepEqual(e2.handshake[k], e.handshake[k], `handshake.${k}`);
        }
      });

      it("follows joins, leaves and disconnections", T, async (t) => {
        const [A, B, C, D] = await quad(t);
        const all = [A, B, C, D];
        await C.call("sjoin", { rooms: [A.id], target: "r9" });
        assert.deepEqual(await fetched(C, { rooms: ["r9"] }, all), ["A"], "in [r9] after sjoin");
        const [[a]] = await C.call("fetch", { rooms: ["r9"] });
        assert.deepEqual(sorted(a.rooms), sorted([A.id, "r1", "r9"]), "A's rooms");
        await B.call("leave", "r1");
        assert.deepEqual(await fetched(C, { rooms: ["r1"] }, all), ["A"], "in [r1] after B left");
        assert.deepEqual(await fetched(D, { rooms: ["r1"] }, all), ["D"], "/chat in [r1] unchanged");
        B.socket.disconnect();
        const deadline = Date.now() + 3000;
        let got;
        while (Date.now() < deadline) {
          got = await fetched(C, { rooms: [] }, all);
          if (JSON.stringify(got) === JSON.stringify(["A", "C"])) break;
          await sleep(50);
        }
        assert.deepEqual(got, ["A", "C"], "in [] after B disconnected");
      });
    });

    describe("serverSideEmit", () => {
      it("without an ack: acked at once, delivered to no client", T, async (t) => {
        const [A, B, C, D] = await quad(t);
        const tag = uniq("sse");
        const [res, res2] = await Promise.all([
          A.call("sse", { event: "sse-x", args: [tag, 1, { bin: Buffer.from([1, 2]) }], ack: false }),
          D.call("sse", { event: "sse-x", args: [tag] }),
        ]);
        assert.deepEqual(res, [], "/ ack");
        assert.deepEqual(res2, [], "/chat ack");
        await fence(A, [A, B, C]);
        await fence(D, [D]);
        for (const c of [A, B, C, D]) assert.deepEqual(c.log.filter((e) => e.event === "sse-x"), [], c.label);
      });

      it("with an ack and no other server", T, async (t) => {
        const [A, B, C, D] = await quad(t);
        const tag = uniq("sse");
        const answer = await answerWithin(A, NO_ANSWER_MS, "sse", { event: "sse-y", args: [tag], ack: true });
        // socket.io 4.8 with its in-memory adapter: Adapter#serverSideEmit only
        // warns ("this adapter does not support the serverSideEmit()
        // functionality") and never calls the callback.
        const expect = "no answer";
        // sio-cpp deliberately answers at once: no error, no replies (one per
        // other server, and there is none), as a cluster adapter would.
        const cppExpect = [{ error: null, replies: [] }];
        assert.deepEqual(answer, isCpp ? cppExpect : expect);
        await fence(A, [A, B, C]);
        for (const c of [A, B, C, D]) assert.deepEqual(c.log.filter((e) => e.event === "sse-y"), [], c.label);
        // still served
        assert.equal((await A.me()).id, A.id);
      });
    });

    it("serverCount is 1 on each namespace", T, async (t) => {
      const [A, , C, D] = await quad(t);
      assert.deepEqual(await A.call("count"), [1]);
      assert.deepEqual(await C.call("count"), [1]);
      assert.deepEqual(await D.call("count"), [1]);
    });

    it("the adapter's rooms: every non-empty room, socket ids included, per namespace", T, async (t) => {
      const [A, B, C, D] = await quad(t);
      const rooms = async (c) => {
        const [res] = await c.call("rooms");
        assert.ok(Array.isArray(res), `rooms answer ${JSON.stringify(res)}`);
        assert.equal(new Set(res).size, res.length, `each room once: ${JSON.stringify(res)}`);
        return sorted(res);
      };
      assert.deepEqual(await rooms(C), sorted([A.id, B.id, C.id, "r1", "r2"]), "/");
      assert.deepEqual(await rooms(D), sorted([D.id, "r1"]), "/chat");
      await B.call("leave", "r2");
      assert.deepEqual(await rooms(A), sorted([A.id, B.id, C.id, "r1"]), "/ after B left r2 (now empty)");
      await A.call("leave", "r1");
      await B.call("leave", "r1");
      await C.call("join", ["r3", "r4"]);
      assert.deepEqual(await rooms(A), sorted([A.id, B.id, C.id, "r3", "r4"]), "/ after r1 emptied");
      assert.deepEqual(await rooms(D), sorted([D.id, "r1"]), "/chat unchanged");
    });

    describe("RemoteSocket actions on the fetched sockets", () => {
      it("emit reaches exactly the fetched sockets, binary arguments intact", T, async (t) => {
        const [A, B, C, D] = await quad(t);
        const all = [A, B, C];
        const args = [Buffer.from([0, 1, 254, 255]), { nested: [Buffer.from("héllo"), "x"], n: 1 }, "plain"];
        const cases = [
          ["in []", A, { rooms: [] }, ["A", "B", "C"]],
          ["in [r1]", C, { rooms: ["r1"] }, ["A", "B"]],
          ["in [r1] except [r2]", C, { rooms: ["r1"], except: ["r2"] }, ["A"]],
          ["in [] except [r1]", A, { rooms: [], except: ["r1"] }, ["C"]],
          ["socket.broadcast from A", A, { rooms: [], broadcast: true }, ["B", "C"]],
          ["in [C's id]", A, { rooms: [C.id] }, ["C"]],
          ["in [nobody]", A, { rooms: ["nobody"] }, []],
        ];
        for (const [name, sender, spec, expected] of cases) {
          const tag = uniq("rmsg");
          const [ack] = await sender.call("remote", { ...spec, action: "emit", event: "rmsg", args: [tag, ...args] });
          assert.equal(ack, undefined, `${name}: ack`);
          await fence(sender, all);
          await fence(D, [D]);
          const got = Object.fromEntries([...all, D].map((c) => [c.label, c.got("rmsg", tag).length]));
          assert.deepEqual(got, only([...all, D], ...expected), name);
          for (const c of all.filter((c) => expected.includes(c.label))) {
            assert.deepEqual(plain(c.got("rmsg", tag)[0].args), plain([tag, ...args]), `${name}: ${c.label} args`);
          }
        }
        // /chat: only the /chat sockets
        const tag = uniq("rmsg");
        await D.call("remote", { rooms: ["r1"], action: "emit", event: "rmsg", args: [tag] });
        await fence(D, [D]);
        await fence(A, all);
        assert.deepEqual(
          Object.fromEntries([...all, D].map((c) => [c.label, c.got("rmsg", tag).length])),
          { A: 0, B: 0, C: 0, D: 1 },
          "/chat in [r1]",
        );
      });

      it("emit of a reserved event name sends nothing and breaks no connection", T, async (t) => {
        const [A, B, C, D] = await quad(t);
        const all = [A, B, C];
        // socket.io: RemoteSocket#emit / Socket#emit throw `"<name>" is a
        // reserved event name` (the twin logs it and acks); socket.io-client
        // would take such an EVENT packet for a parse error and close.
        for (const event of ["disconnect", "connect", "connect_error", "disconnecting", "newListener", "removeListener"]) {
          const res = await answerWithin(C, 2000, "remote", { rooms: [], action: "emit", event, args: ["x"] });
          await sleep(100);
          const state = Object.fromEntries(
            all.map((c) => [c.label, { got: c.log.filter((e) => e.event === event).length, disconnects: c.disconnects.map((d) => d.reason) }]),
          );
          assert.deepEqual(
            { ack: res, state },
            { ack: [], state: Object.fromEntries(all.map((c) => [c.label, { got: 0, disconnects: [] }])) },
            `remote emit "${event}"`,
          );
        }
        assert.deepEqual(await deliveries(C, { rooms: [] }, all), only(all, "A", "B", "C"), "still served");
        assert.deepEqual(D.disconnects, []);
      });

      it("emit to the requester itself arrives before the ack", T, async (t) => {
        const [A] = await quad(t);
        const order = [];
        const tag = uniq("rmsg");
        A.socket.on("rmsg", (x) => order.push(["rmsg", x]));
        await new Promise((resolve) =>
          A.socket.emit("remote", { rooms: [A.id], action: "emit", event: "rmsg", args: [tag] }, (...res) => {
            order.push(["ack", ...res]);
            resolve();
          }),
        );
        await fence(A, [A]);
        assert.deepEqual(order, [["rmsg", tag], ["ack"]]);
      });

      it("join: the fetched sockets join the room", T, async (t) => {
        const [A, B, C, D] = await quad(t);
        const all = [A, B, C];
        const rooms = async () =>
          Object.fromEntries(
            await Promise.all(
              [...all, D].map(async (c) => [c.label, sorted((await c.me()).rooms.filter((r) => r !== c.id))]),
            ),
          );
        let [ack] = await C.call("remote", { rooms: ["r1"], action: "join", room: "r7" });
        assert.equal(ack, undefined);
        assert.deepEqual(await rooms(), { A: ["r1", "r7"], B: ["r1", "r2", "r7"], C: [], D: ["r1"] }, "in [r1] join r7");
        assert.deepEqual(await deliveries(C, { rooms: ["r7"] }, all), only(all, "A", "B"), "to [r7]");

        [ack] = await A.call("remote", { rooms: [], except: ["r2"], action: "join", room: "r8" });
        assert.deepEqual(
          await rooms(),
          { A: ["r1", "r7", "r8"], B: ["r1", "r2", "r7"], C: ["r8"], D: ["r1"] },
          "in [] except [r2] join r8",
        );
        assert.deepEqual(await deliveries(B, { rooms: ["r8"] }, all), only(all, "A", "C"), "to [r8]");

        // /chat: D joins its own r7, "/" is untouched
        await D.call("remote", { rooms: [], action: "join", room: "r7" });
        assert.deepEqual(
          await rooms(),
          { A: ["r1", "r7", "r8"], B: ["r1", "r2", "r7"], C: ["r8"], D: ["r1", "r7"] },
          "/chat in [] join r7",
        );
        assert.deepEqual(await deliveries(C, { rooms: ["r7"] }, all), only(all, "A", "B"), "/ to [r7] unchanged");
        assert.deepEqual(await deliveries(D, { rooms: ["r7"] }, [D]), { D: 1 }, "/chat to [r7]");

        // nobody matches: nothing joins
        await C.call("remote", { rooms: ["nobody"], action: "join", room: "r9" });
        assert.deepEqual(await deliveries(C, { rooms: ["r9"] }, all), only(all), "to [r9]");
      });

      it("leave: the fetched sockets leave the room", T, async (t) => {
        const [A, B, C, D] = await quad(t);
        const all = [A, B, C];
        const rooms = async () =>
          Object.fromEntries(
            await Promise.all(
              [...all, D].map(async (c) => [c.label, sorted((await c.me()).rooms.filter((r) => r !== c.id))]),
            ),
          );
        let [ack] = await C.call("remote", { rooms: ["r2"], action: "leave", room: "r1" });
        assert.equal(ack, undefined);
        assert.deepEqual(await rooms(), { A: ["r1"], B: ["r2"], C: [], D: ["r1"] }, "in [r2] leave r1");
        assert.deepEqual(await deliveries(C, { rooms: ["r1"] }, all), only(all, "A"), "to [r1]");

        // a room some of them are not in: no-op for those
        [ack] = await A.call("remote", { rooms: [], action: "leave", room: "r2" });
        assert.deepEqual(await rooms(), { A: ["r1"], B: [], C: [], D: ["r1"] }, "in [] leave r2");
        assert.deepEqual(await deliveries(C, { rooms: ["r2"] }, all), only(all), "to [r2]");

        // a socket's own id room is left like any other
        await C.call("remote", { rooms: [B.id], action: "leave", room: B.id });
        assert.deepEqual(sorted((await B.me()).rooms), [], "B left its own id room");
        assert.deepEqual(await deliveries(C, { rooms: [B.id] }, all), only(all), "to [B's id]");
        assert.deepEqual(await deliveries(C, { rooms: [] }, all), only(all, "A", "B", "C"), "to [] still B");

        // /chat: D leaves its r1, "/" is untouched
        await D.call("remote", { rooms: ["r1"], action: "leave", room: "r1" });
        assert.deepEqual(await rooms(), { A: ["r1"], B: [], C: [], D: [] }, "/chat in [r1] leave r1");
        assert.deepEqual(await deliveries(C, { rooms: ["r1"] }, all), only(all, "A"), "/ to [r1] unchanged");
      });

      describe("disconnect", () => {
        /** A (websocket, r1) with A2 on /chat over A's connection, B (polling, r1), C (default), K (websocket). */
        async function kickable(t) {
          const mgr = manager(t, server, "websocket");
          const A = await connectOn(mgr, "A", "/");
          const A2 = await connectOn(mgr, "A2", "/chat");
          const B = await connect(t, server, "B", { transport: "polling" });
          const C = await connect(t, server, "C", { transport: "default" });
          const K = await connect(t, server, "K", { transport: "websocket" });
          await A.call("join", "r1");
          await B.call("join", "r1");
          await settle(K, [A, B, C, K]);
          return { A, A2, B, C, K };
        }

        async function afterRemoteDisconnect(t, close) {
          const { A, A2, B, C, K } = await kickable(t);
          const [ack] = await K.call("remote", { rooms: ["r1"], action: "disconnect", close });
          assert.equal(ack, undefined);
          const [dA, dB] = await Promise.all([A.nextDisconnect(), B.nextDisconnect()]);
          // A2 is on A's connection: give it time to be closed too (close: true).
          await sleep(300);
          const state = {
            A: dA.reason,
            B: dB.reason,
            A2: A2.disconnects.map((d) => d.reason),
            C: C.disconnects.map((d) => d.reason),
            K: K.disconnects.map((d) => d.reason),
          };
          return { A2, C, K, state };
        }

        it("close: false disconnects the fetched sockets, not their connections", T, async (t) => {
          const { A2, C, K, state } = await afterRemoteDisconnect(t, false);
          assert.deepEqual(state, { A: "io server disconnect", B: "io server disconnect", A2: [], C: [], K: [] });
          assert.equal((await C.me()).id, C.id);
          assert.equal((await A2.me()).nsp, "/chat");
          assert.deepEqual(await deliveries(K, { rooms: [] }, [C, K]), { C: 1, K: 1 });
          assert.deepEqual(await deliveries(K, { rooms: ["r1"] }, [C, K]), { C: 0, K: 0 });
        });

        it("close: true closes their connections (every namespace socket on them)", T, async (t) => {
          const { C, K, state } = await afterRemoteDisconnect(t, true);
          assert.deepEqual(state, {
            A: "io server disconnect",
            B: "io server disconnect",
            A2: ["io server disconnect"],
            C: [],
            K: [],
          });
          assert.equal((await C.me()).id, C.id);
          assert.deepEqual(await deliveries(K, { rooms: [] }, [C, K]), { C: 1, K: 1 });
        });

        it("the requester among them: disconnected before the ack, which never arrives", T, async (t) => {
          const { A, A2, B, C, K } = await kickable(t);
          const order = [];
          K.socket.once("disconnect", (reason) => order.push(["disconnect", reason]));
          K.socket.emit("remote", { rooms: [], action: "disconnect", close: false }, (...res) => order.push(["ack", ...res]));
          const ds = await Promise.all([A, B, C, K].map((c) => c.nextDisconnect()));
          assert.deepEqual(
            ds.map((d) => d.reason),
            ["io server disconnect", "io server disconnect", "io server disconnect", "io server disconnect"],
          );
          await sleep(NO_ANSWER_MS);
          // socket.io: each local socket is disconnected synchronously, the
          // ack goes out after the DISCONNECT and the client drops it.
          assert.deepEqual(order, [["disconnect", "io server disconnect"]]);
          assert.deepEqual(A2.disconnects, [], "A2 (/chat) stays");
          assert.equal((await A2.me()).nsp, "/chat");
        });
      });
    });
  });
}
