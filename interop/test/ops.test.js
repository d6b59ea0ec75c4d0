// Rooms and broadcast operators of the socketio_ops server, driven by
// socket.io-client 4.x clients over mixed transports (websocket only,
// polling only, default = polling then upgrade), on cpp, cpp-2 (two shards)
// and node (socket.io 4.8, the reference). Every case asserts what socket.io
// 4.8 does; see servers/socketio_ops.js for the event table.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OPS_TARGETS } from "../lib/server.js";
import { skipReason, useServer } from "../lib/fixture.js";
import { connect, connectOn, deliveries, fence, manager, only, plain, settle, uniq } from "../lib/ops.js";
import { sleep } from "../lib/time.js";

const NODE_NAME = "n1";
const T = { timeout: 20_000 };

const sorted = (xs) => [...xs].sort();

for (const target of OPS_TARGETS) {
  describe(`socketio_ops [${target.name}]`, { skip: skipReason(target) }, () => {
    const server = useServer(target, ["--name", NODE_NAME]);

    /** A (websocket) in r1, B (polling) in r1 and r2, C (default) in no room. */
    async function trio(t, extra = {}) {
      const [A, B, C] = await Promise.all([
        connect(t, server, "A", { transport: "websocket", auth: extra.A }),
        connect(t, server, "B", { transport: "polling", auth: extra.B }),
        connect(t, server, "C", { transport: "default", auth: extra.C }),
      ]);
      await A.call("join", "r1");
      await B.call("join", ["r1", "r2"]);
      return [A, B, C];
    }

    it("room events of /chat: created and deleted once, joins and leaves in order", T, async (t) => {
      const room = uniq("re");
      const A = await connect(t, server, "A", { nsp: "/chat", transport: "websocket", auth: { name: "alice" } });
      const B = await connect(t, server, "B", { nsp: "/chat", transport: "polling", auth: { name: "bob" } });
      await A.call("join", room);
      await B.call("join", room);
      await A.call("leave", room);
      B.socket.disconnect();
      const want = [`create ${room}`, `join ${room} alice`, `join ${room} bob`, `leave ${room} alice`, `leave ${room} bob`, `delete ${room}`];
      // sio-cpp delivers them just after the change, on shard 0: ask until they are all there
      const R = await connect(t, server, "R", { nsp: "/chat", transport: "websocket" });
      let events = [];
      for (let i = 0; i < 50 && events.length < want.length; i++, await sleep(20)) {
        [events] = await R.call("room-events");
        events = events.filter((e) => e.split(" ")[1] === room);
      }
      assert.deepEqual(events, want);
    });

    describe("rooms", () => {
      it("RemoteSocket timeout().emit with an ack: the reply, or the timeout", T, async (t) => {
        const [A, B] = await trio(t);
        // every test client acks "probe" with its label; nobody answers "silent"
        let [answers] = await A.call("remote", { rooms: [B.id], action: "ask", event: "probe", args: [], timeout: 2000 });
        assert.deepEqual(answers, [{ error: null, response: "B" }]);
        [answers] = await A.call("remote", { rooms: [B.id], action: "ask", event: "silent", args: [], timeout: 100 });
        assert.deepEqual(answers, [{ error: "operation has timed out", response: null }]);
      });

      it("lookup: the namespace's socket ids, a room's members and a socket's rooms, at once", T, async (t) => {
        const room = uniq("lk");
        const [A, B, C] = await trio(t);
        await A.call("join", room);
        await B.call("join", room);
        const [found] = await C.call("lookup", { room, id: B.id });
        for (const c of [A, B, C]) assert.ok(found.ids.includes(c.id), `${c.label} listed`);
        assert.equal(found.count, found.ids.length);
        assert.deepEqual(found.members, sorted([A.id, B.id]));
        assert.deepEqual(found.rooms, sorted([B.id, "r1", "r2", room]));
        const gone = B.id; // the client forgets it on disconnect
        B.socket.disconnect();
        await A.call("leave", room);
        let after;
        for (let i = 0; i < 50; i++, await sleep(20)) {
          [after] = await C.call("lookup", { room, id: gone });
          if (after.rooms === null) break;
        }
        assert.deepEqual(after.members, []);
        assert.equal(after.rooms, null);
        assert.ok(!after.ids.includes(gone), "B is gone");
      });

      it("me lists the socket's own id and its rooms", T, async (t) => {
        const [A, B, C] = await trio(t);
        for (const [c, rooms] of [
          [A, ["r1"]],
          [B, ["r1", "r2"]],
          [C, []],
        ]) {
          const me = await c.me();
          assert.equal(me.id, c.id, `${c.label} id`);
          assert.equal(me.nsp, "/", `${c.label} nsp`);
          assert.equal(me.node, NODE_NAME, `${c.label} node`);
          assert.deepEqual(sorted(me.rooms), sorted([c.id, ...rooms]), `${c.label} rooms`);
          // socket.io lists the own id first, then the rooms in join order: only reported.
          const order = [c.id, ...rooms];
          if (JSON.stringify(me.rooms) !== JSON.stringify(order)) {
            t.diagnostic(`${c.label} rooms order ${JSON.stringify(me.rooms)} (socket.io: ${JSON.stringify(order)})`);
          }
        }
      });

      it("to / except select the right sockets, each once", T, async (t) => {
        const [A, B, C] = await trio(t);
        const all = [A, B, C];
        const cases = [
          ["to [r1]", C, { rooms: ["r1"] }, ["A", "B"]],
          ["to [r1, r2]", C, { rooms: ["r1", "r2"] }, ["A", "B"]],
          ["to r2 (string)", C, { rooms: "r2" }, ["B"]],
          ["to [r1] except [r2]", C, { rooms: ["r1"], except: ["r2"] }, ["A"]],
          ["to [r1, r2] except [r2]", C, { rooms: ["r1", "r2"], except: ["r2"] }, ["A"]],
          ["to [] except [r2]", C, { rooms: [], except: ["r2"] }, ["A", "C"]],
          ["to [] (everyone, sender too)", A, { rooms: [] }, ["A", "B", "C"]],
          ["to [nobody]", A, { rooms: ["nobody"] }, []],
          ["to [B's id]", A, { rooms: [B.id] }, ["B"]],
          ["to [r1] except [A's id]", C, { rooms: ["r1"], except: [A.id] }, ["B"]],
          ["to [] except [r1, r2]", A, { rooms: [], except: ["r1", "r2"] }, ["C"]],
          ["local to [r1]", C, { rooms: ["r1"], local: true }, ["A", "B"]],
          ["broadcast (socket.broadcast) from A", A, { rooms: [], broadcast: true }, ["B", "C"]],
          ["broadcast from C", C, { rooms: [], broadcast: true }, ["A", "B"]],
          ["socket.to(r1) from A", A, { rooms: ["r1"], broadcast: true }, ["B"]],
          ["socket.to(r1).except(r2) from A", A, { rooms: ["r1"], except: ["r2"], broadcast: true }, []],
          ["socket.to([r1, r2]) from B", B, { rooms: ["r1", "r2"], broadcast: true }, ["A"]],
        ];
        for (const [name, sender, spec, expected] of cases) {
          assert.deepEqual(await deliveries(sender, spec, all), only(all, ...expected), name);
        }
      });

      it("leave removes the socket from the room", T, async (t) => {
        const [A, B, C] = await trio(t);
        const all = [A, B, C];
        await B.call("leave", "r1");
        assert.deepEqual(sorted((await B.me()).rooms), sorted([B.id, "r2"]));
        assert.deepEqual(await deliveries(C, { rooms: ["r1"] }, all), only(all, "A"), "to [r1] after B left r1");
        assert.deepEqual(await deliveries(C, { rooms: ["r2"] }, all), only(all, "B"), "to [r2] still B");
        await A.call("leave", ["r1", "never-joined"]);
        assert.deepEqual((await A.me()).rooms, [A.id]);
        assert.deepEqual(await deliveries(C, { rooms: ["r1"] }, all), only(all), "to [r1] empty");
        // joining again works
        await A.call("join", ["r1"]);
        assert.deepEqual(await deliveries(C, { rooms: ["r1"] }, all), only(all, "A"), "to [r1] after rejoin");
      });

      it("namespaces are isolated (own connection and shared connection)", T, async (t) => {
        const [A, B, C] = await trio(t);
        // D: own connection on /chat; A2: /chat over A's Engine.IO connection.
        const D = await connect(t, server, "D", { nsp: "/chat", transport: "polling" });
        const mgr = manager(t, server, "websocket");
        const E = await connectOn(mgr, "E", "/");
        const E2 = await connectOn(mgr, "E2", "/chat");
        await D.call("join", "r1");
        await E2.call("join", "r1");
        const meD = await D.me();
        assert.equal(meD.nsp, "/chat");
        assert.deepEqual(sorted(meD.rooms), sorted([D.id, "r1"]));
        assert.deepEqual((await E.me()).rooms, [E.id], "E (/) is in no room");

        const main = [A, B, C, E];
        const chat = [D, E2];
        const tag = uniq("msg");
        await C.call("emit", { rooms: ["r1"], event: "msg", args: [tag] });
        await C.call("emit", { rooms: [], event: "msg", args: [tag] });
        await fence(C, main);
        await fence(D, chat);
        await sleep(100);
        const count = (cs) => Object.fromEntries(cs.map((c) => [c.label, c.got("msg", tag).length]));
        assert.deepEqual(count([...main, ...chat]), { A: 2, B: 2, C: 1, E: 1, D: 0, E2: 0 }, "/ broadcasts");

        const tag2 = uniq("msg");
        await D.call("emit", { rooms: ["r1"], event: "msg", args: [tag2] });
        await fence(D, chat);
        await fence(C, main);
        await sleep(100);
        const count2 = (cs) => Object.fromEntries(cs.map((c) => [c.label, c.got("msg", tag2).length]));
        assert.deepEqual(count2([...main, ...chat]), { A: 0, B: 0, C: 0, E: 0, D: 1, E2: 1 }, "/chat broadcast");
      });

      it("volatile broadcasts are acked and never duplicated", T, async (t) => {
        const [A, B, C] = await trio(t);
        const all = [A, B, C];
        const got = await deliveries(C, { rooms: ["r1"], volatile: true }, all);
        assert.equal(got.C, 0);
        assert.ok(got.A <= 1 && got.B <= 1, JSON.stringify(got));
        t.diagnostic(`volatile to [r1]: ${JSON.stringify(got)}`);
      });
    });

    it("binary arguments of a broadcast arrive intact at every recipient", T, async (t) => {
      const [A, B, C] = await trio(t);
      const big = Buffer.alloc(100_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
      const args = [
        Buffer.from([0, 1, 2, 255]),
        { nested: [Buffer.from("héllo"), "text", { deep: Buffer.from([9]) }], n: 1 },
        "plain",
        Buffer.alloc(0),
        big,
      ];
      const tag = uniq("bin");
      await B.call("emit", { rooms: [], event: "bin", args: [tag, ...args] });
      await fence(B, [A, B, C]);
      const want = plain([tag, ...args]);
      for (const c of [A, B, C]) {
        const got = c.got("bin", tag);
        assert.equal(got.length, 1, `${c.label} deliveries`);
        assert.deepEqual(plain(got[0].args), want, `${c.label} args`);
      }
      // to a room, from a socket.broadcast
      const tag2 = uniq("bin");
      await C.call("emit", { rooms: ["r1"], broadcast: true, event: "bin", args: [tag2, args[0], args[1]] });
      await fence(C, [A, B, C]);
      assert.equal(C.got("bin", tag2).length, 0);
      for (const c of [A, B]) {
        const got = c.got("bin", tag2);
        assert.equal(got.length, 1, `${c.label} deliveries (room)`);
        assert.deepEqual(plain(got[0].args), plain([tag2, args[0], args[1]]), `${c.label} args (room)`);
      }
    });

    describe("emit-ack", () => {
      /** A, B, C answer `ask` with `reply(name, args)` unless listed in `silent`. */
      async function askers(t, reply = (name) => [name], silent = []) {
        const [A, B, C] = await trio(t, { A: { name: "alice" }, B: { name: "bob" }, C: { name: "carol" } });
        for (const [c, name] of [
          [A, "alice"],
          [B, "bob"],
          [C, "carol"],
        ]) {
          c.socket.on("ask", (...args) => {
            const cb = args.pop();
            c.asked = (c.asked ?? 0) + 1;
            c.askArgs = args;
            if (!silent.includes(c.label) && typeof cb === "function") cb(...reply(name, args));
          });
        }
        // no socket of an earlier test left in the namespace (they would be asked too)
        await settle(A, [A, B, C]);
        return [A, B, C];
      }

      it("collects one response per recipient", T, async (t) => {
        const [A, B, C] = await askers(t);
        const [res] = await A.call("emit-ack", { rooms: [], event: "ask", args: ["q", 1], timeout: 3000 });
        assert.equal(res.error, null);
        assert.deepEqual(sorted(res.responses), ["alice", "bob", "carol"]);
        for (const c of [A, B, C]) {
          assert.equal(c.asked, 1, `${c.label} asked once`);
          assert.deepEqual(c.askArgs, ["q", 1], `${c.label} ask args`);
        }
      });

      it("to a room, except, and socket.broadcast", T, async (t) => {
        const [A] = await askers(t);
        let [res] = await A.call("emit-ack", { rooms: ["r1"], event: "ask", args: [], timeout: 3000 });
        assert.deepEqual({ ...res, responses: sorted(res.responses) }, { error: null, responses: ["alice", "bob"] });
        [res] = await A.call("emit-ack", { rooms: ["r1"], except: ["r2"], event: "ask", args: [], timeout: 3000 });
        assert.deepEqual(res, { error: null, responses: ["alice"] });
        [res] = await A.call("emit-ack", { rooms: [], broadcast: true, event: "ask", args: [], timeout: 3000 });
        assert.deepEqual({ ...res, responses: sorted(res.responses) }, { error: null, responses: ["bob", "carol"] });
      });

      it("no recipient: no error, no responses, at once", T, async (t) => {
        const [A] = await askers(t);
        const t0 = Date.now();
        const [res] = await A.call("emit-ack", { rooms: ["nobody"], event: "ask", args: [], timeout: 3000 });
        assert.deepEqual(res, { error: null, responses: [] });
        assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
      });

      it("a silent recipient: timed out with the other responses", T, async (t) => {
        const [A] = await askers(t, undefined, ["C"]);
        const t0 = Date.now();
        const [res] = await A.call("emit-ack", { rooms: [], event: "ask", args: [], timeout: 300 });
        const took = Date.now() - t0;
        assert.equal(res.error, "operation has timed out");
        assert.deepEqual(sorted(res.responses), ["alice", "bob"]);
        assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
      });

      it("a multi-argument ack counts its first argument only", T, async (t) => {
        const [A] = await askers(t, (name) => [name, "extra"]);
        const [res] = await A.call("emit-ack", { rooms: ["r1"], event: "ask", args: [], timeout: 3000 });
        assert.deepEqual({ ...res, responses: sorted(res.responses) }, { error: null, responses: ["alice", "bob"] });
      });

      it("binary responses are relayed intact", T, async (t) => {
        const [A, B, C] = await askers(t, (name) => [{ name, bin: Buffer.from(name) }]);
        const [res] = await C.call("emit-ack", { rooms: [], event: "ask", args: [Buffer.from([1, 2])], timeout: 3000 });
        const seen = () => JSON.stringify({ res: plain(res), asked: [A, B, C].map((c) => c.asked ?? 0) });
        assert.equal(res.error, null, seen());
        const got = plain(res.responses).sort((x, y) => (x.name < y.name ? -1 : 1));
        assert.deepEqual(
          got,
          ["alice", "bob", "carol"].map((name) => ({ name, bin: { $bin: Buffer.from(name).toString("hex") } })),
        );
        for (const c of [A, B, C]) assert.deepEqual(plain(c.askArgs), [{ $bin: "0102" }], `${c.label} ask args`);
      });
    });

    describe("socketsJoin / socketsLeave", () => {
      it("makes the matching sockets join and leave rooms", T, async (t) => {
        const [A, B, C] = await trio(t);
        const all = [A, B, C];
        const rooms = async () =>
          Object.fromEntries(
            await Promise.all(all.map(async (c) => [c.label, sorted((await c.me()).rooms.filter((r) => r !== c.id))])),
          );

        await C.call("sjoin", { rooms: ["r1"], target: "r3" });
        assert.deepEqual(await rooms(), { A: ["r1", "r3"], B: ["r1", "r2", "r3"], C: [] }, "sjoin r1 -> r3");
        assert.deepEqual(await deliveries(C, { rooms: ["r3"] }, all), only(all, "A", "B"), "to [r3]");

        await C.call("sjoin", { rooms: ["r1"], except: [B.id], target: ["r4", "r5"] });
        assert.deepEqual(
          await rooms(),
          { A: ["r1", "r3", "r4", "r5"], B: ["r1", "r2", "r3"], C: [] },
          "sjoin r1 except B -> [r4, r5]",
        );

        await A.call("sjoin", { rooms: [], broadcast: true, target: "r6" });
        assert.deepEqual(
          await rooms(),
          { A: ["r1", "r3", "r4", "r5"], B: ["r1", "r2", "r3", "r6"], C: ["r6"] },
          "socket.broadcast.socketsJoin(r6) from A",
        );

        await C.call("sleave", { rooms: ["r3"], target: "r3" });
        assert.deepEqual(
          await rooms(),
          { A: ["r1", "r4", "r5"], B: ["r1", "r2", "r6"], C: ["r6"] },
          "sleave r3 from r3",
        );
        assert.deepEqual(await deliveries(C, { rooms: ["r3"] }, all), only(all), "to [r3] after sleave");

        await B.call("sleave", { rooms: [], target: ["r1", "r6"] });
        assert.deepEqual(await rooms(), { A: ["r4", "r5"], B: ["r2"], C: [] }, "everyone leaves [r1, r6]");
        assert.deepEqual(await deliveries(C, { rooms: ["r1", "r6"] }, all), only(all), "to [r1, r6] after sleave");

        await C.call("sjoin", { rooms: [], target: "all" });
        assert.deepEqual(await deliveries(A, { rooms: ["all"] }, all), only(all, "A", "B", "C"), "to [all]");
      });
    });

    describe("disconnectSockets", () => {
      /** A (websocket, r1) with E2 on /chat over A's connection, B (polling, r1), C (default), K (websocket). */
      async function kickable(t) {
        const mgr = manager(t, server, "websocket");
        const A = await connectOn(mgr, "A", "/");
        const A2 = await connectOn(mgr, "A2", "/chat");
        const B = await connect(t, server, "B", { transport: "polling" });
        const C = await connect(t, server, "C", { transport: "default" });
        const K = await connect(t, server, "K", { transport: "websocket" });
        await A.call("join", "r1");
        await B.call("join", "r1");
        return { A, A2, B, C, K };
      }

      async function afterKick(t, close) {
        const { A, A2, B, C, K } = await kickable(t);
        const [ack] = await K.call("kick", { rooms: ["r1"], close });
        assert.equal(ack, undefined);
        const [dA, dB] = await Promise.all([A.nextDisconnect(), B.nextDisconnect()]);
        // A2 is on the kicked socket's connection: give it time to be closed too (close:true).
        await sleep(300);
        const state = {
          A: dA.reason,
          B: dB.reason,
          A2: A2.disconnects.map((d) => d.reason),
          C: C.disconnects.map((d) => d.reason),
          K: K.disconnects.map((d) => d.reason),
        };
        return { A, A2, B, C, K, state };
      }

      it("close: false disconnects the sockets, not their connections", T, async (t) => {
        const { A2, C, K, state } = await afterKick(t, false);
        assert.deepEqual(state, { A: "io server disconnect", B: "io server disconnect", A2: [], C: [], K: [] });
        // the others stay connected and served; A2 still works over A's connection
        assert.equal((await C.me()).id, C.id);
        assert.equal((await K.me()).id, K.id);
        assert.equal((await A2.me()).nsp, "/chat");
        assert.deepEqual(await deliveries(K, { rooms: [] }, [C, K]), { C: 1, K: 1 });
        assert.deepEqual(await deliveries(K, { rooms: ["r1"] }, [C, K]), { C: 0, K: 0 });
      });

      it("close: true disconnects every socket of the connections", T, async (t) => {
        const { C, K, state } = await afterKick(t, true);
        // socket.io: client._disconnect() sends a DISCONNECT to every namespace
        // socket of the connection (A2 included), then closes it.
        assert.deepEqual(state, {
          A: "io server disconnect",
          B: "io server disconnect",
          A2: ["io server disconnect"],
          C: [],
          K: [],
        });
        assert.equal((await C.me()).id, C.id);
        assert.equal((await K.me()).id, K.id);
        assert.deepEqual(await deliveries(K, { rooms: [] }, [C, K]), { C: 1, K: 1 });
      });

      it("kicking everyone, the kicker included: the ack comes first", T, async (t) => {
        const { A, B, C, K } = await kickable(t);
        const order = [];
        K.socket.once("disconnect", () => order.push("disconnect"));
        K.socket.emit("kick", { rooms: [], close: false }, (...res) => order.push(["ack", ...res]));
        const ds = await Promise.all([A, B, C, K].map((c) => c.nextDisconnect()));
        assert.deepEqual(
          ds.map((d) => d.reason),
          ["io server disconnect", "io server disconnect", "io server disconnect", "io server disconnect"],
        );
        assert.deepEqual(order, [["ack"], "disconnect"]);
      });
    });

    it("socket.data from the middleware (handshake.auth.name, --name)", T, async (t) => {
      const alice = await connect(t, server, "alice", { transport: "websocket", auth: { name: "alice" } });
      const anon = await connect(t, server, "anon", { transport: "polling" });
      const num = await connect(t, server, "num", { transport: "default", auth: { name: 42, other: true } });
      const chat = await connect(t, server, "chat", { nsp: "/chat", transport: "polling", auth: { name: "bob" } });
      assert.deepEqual((await alice.me()).data, { name: "alice", node: NODE_NAME });
      assert.deepEqual((await anon.me()).data, { name: null, node: NODE_NAME });
      assert.deepEqual((await num.me()).data, { name: 42, node: NODE_NAME });
      const meChat = await chat.me();
      assert.deepEqual(meChat, { node: NODE_NAME, nsp: "/chat", id: chat.id, rooms: [chat.id], data: { name: "bob", node: NODE_NAME } });
    });

    it("200 broadcasts from one sender arrive in order at every recipient", { timeout: 60_000 }, async (t) => {
      const transports = ["websocket", "polling", "default", "websocket", "polling", "default"];
      const clients = await Promise.all(transports.map((tr, i) => connect(t, server, `R${i}`, { transport: tr })));
      const S = clients[0];
      for (const c of clients.slice(0, 4)) await c.call("join", "odd");
      const N = 200;
      const acks = [];
      for (let i = 0; i < N; i++) {
        // every other one to a room, with binary on some: same order still
        const spec = i % 2 ? { rooms: ["odd"] } : { rooms: [] };
        const args = i % 10 === 3 ? [i, Buffer.from([i & 0xff])] : [i];
        acks.push(S.call("emit", { ...spec, event: "seq", args }));
      }
      await Promise.all(acks);
      await fence(S, clients, 15_000);
      for (const [k, c] of clients.entries()) {
        const seq = c.log.filter((e) => e.event === "seq").map((e) => e.args[0]);
        const want = [...Array(N).keys()].filter((i) => i % 2 === 0 || k < 4);
        assert.deepEqual(seq, want, `${c.label} (${transports[k]}) order`);
        const bins = c.log.filter((e) => e.event === "seq" && e.args.length === 2);
        for (const e of bins) assert.deepEqual(plain(e.args[1]), { $bin: Buffer.from([e.args[0] & 0xff]).toString("hex") });
      }
    });
  });
}
