// Dynamic namespaces of the socketio_ops server: the parent /^\/dyn-\d+$/
// (io.of(regex) in socket.io 4.8) with the middleware and handlers of "/"
// and "/chat", driven by socket.io-client 4.x clients over mixed transports,
// on cpp, cpp-2 (two shards) and node (the reference): children are created
// on their first connection, named as the client asked, isolated from each
// other, reused by later clients; names outside the pattern are refused;
// `parent-emit` (parentNamespace.emit) reaches every child and nothing else.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OPS_TARGETS } from "../lib/server.js";
import { skipReason, useServer } from "../lib/fixture.js";
import { connect, connectOn, deliveries, fence, manager, only, plain, settle, uniq } from "../lib/ops.js";
import { sleep } from "../lib/time.js";

const NODE_NAME = "n1";
const T = { timeout: 20_000 };

const sorted = (xs) => [...xs].sort();

let fresh = 0;
/** A child name no earlier test used: /dyn-<pid><n> (digits only). */
const freshChild = () => `/dyn-${process.pid}${++fresh}`;

/** {label: number of `event` events with `tag` as first argument} of `clients`. */
const counts = (clients, event, tag) => Object.fromEntries(clients.map((c) => [c.label, c.got(event, tag).length]));

for (const target of OPS_TARGETS) {
  describe(`socketio_ops dynamic namespaces [${target.name}]`, { skip: skipReason(target) }, () => {
    const server = useServer(target, ["--name", NODE_NAME]);

    it("/dyn-1 and /dyn-22 connect; me shows the child's name and the middleware's data", T, async (t) => {
      const A = await connect(t, server, "A", { nsp: "/dyn-1", transport: "websocket", auth: { name: "alice" } });
      const B = await connect(t, server, "B", { nsp: "/dyn-22", transport: "polling", auth: { name: "bob" } });
      const C = await connect(t, server, "C", { nsp: "/dyn-1", transport: "default" });
      // two children and "/" over one Engine.IO connection
      const mgr = manager(t, server, "polling");
      const D = await connectOn(mgr, "D", "/dyn-22", { auth: { name: 7 } });
      const E = await connectOn(mgr, "E", "/dyn-1");
      const F = await connectOn(mgr, "F", "/");
      const want = [
        [A, "/dyn-1", "alice"],
        [B, "/dyn-22", "bob"],
        [C, "/dyn-1", null],
        [D, "/dyn-22", 7],
        [E, "/dyn-1", null],
        [F, "/", null],
      ];
      for (const [c, nsp, name] of want) {
        assert.deepEqual(
          await c.me(),
          { node: NODE_NAME, nsp, id: c.id, rooms: [c.id], data: { name, node: NODE_NAME } },
          `${c.label} me`,
        );
      }
      assert.equal(new Set(want.map(([c]) => c.id)).size, want.length, "socket ids are distinct");
    });

    for (const [nsp, transport] of [
      ["/dyn-x", "websocket"],
      ["/dyn-", "polling"],
      ["/dyn-1a", "default"],
      ["/dyn--1", "websocket"],
      ["/Dyn-1", "polling"],
      ["/dyn-1/x", "websocket"],
      ["/xdyn-1", "default"],
    ]) {
      it(`${nsp} (${transport}) is refused: "Invalid namespace"`, T, async (t) => {
        await assert.rejects(connect(t, server, "X", { nsp, transport }), (e) => {
          assert.equal(e.message, "Invalid namespace");
          assert.equal(e.data, undefined);
          return true;
        });
      });
    }

    it("a refused name on a shared connection leaves its children working", T, async (t) => {
      const mgr = manager(t, server, "websocket");
      const A = await connectOn(mgr, "A", "/dyn-5");
      await assert.rejects(connectOn(mgr, "X", "/dyn-x"), { message: "Invalid namespace" });
      const B = await connectOn(mgr, "B", "/dyn-6");
      assert.equal((await A.me()).nsp, "/dyn-5");
      assert.equal((await B.me()).nsp, "/dyn-6");
    });

    it("rooms, emit, emit-ack and fetch work inside a child and are isolated between children", T, async (t) => {
      const one = freshChild();
      const two = freshChild();
      // A, B, C in child one (A and B in r1); D in child two (in r1); E in "/" (in r1)
      const [A, B, C, D, E] = await Promise.all([
        connect(t, server, "A", { nsp: one, transport: "websocket", auth: { name: "a" } }),
        connect(t, server, "B", { nsp: one, transport: "polling", auth: { name: "b" } }),
        connect(t, server, "C", { nsp: one, transport: "default" }),
        connect(t, server, "D", { nsp: two, transport: "polling", auth: { name: "d" } }),
        connect(t, server, "E", { transport: "websocket" }),
      ]);
      await A.call("join", "r1");
      await B.call("join", ["r1", "r2"]);
      await D.call("join", "r1");
      await E.call("join", "r1");
      const mine = [A, B, C];
      const others = [D, E];

      assert.deepEqual(sorted((await B.me()).rooms), sorted([B.id, "r1", "r2"]));
      // in the child: to / except / socket.broadcast select among A, B, C only
      const cases = [
        ["to [r1]", C, { rooms: ["r1"] }, ["A", "B"]],
        ["to [] (everyone)", A, { rooms: [] }, ["A", "B", "C"]],
        ["to [r1] except [r2]", C, { rooms: ["r1"], except: ["r2"] }, ["A"]],
        ["socket.broadcast from A", A, { rooms: [], broadcast: true }, ["B", "C"]],
        ["to [D's id] (in the other child)", A, { rooms: [D.id] }, []],
      ];
      for (const [name, sender, spec, expected] of cases) {
        assert.deepEqual(await deliveries(sender, spec, mine), only(mine, ...expected), name);
      }
      // nothing of the above reached the other child or "/"
      await fence(D, [D]);
      await fence(E, [E]);
      await sleep(100);
      assert.deepEqual(
        others.map((c) => c.log.filter((e) => e.event === "msg").length),
        [0, 0],
        "msg events in the other child and in /",
      );
      // the other child's broadcast reaches D only
      assert.deepEqual(await deliveries(D, { rooms: ["r1"] }, [D]), { D: 1 });
      await fence(A, mine);
      await sleep(100);
      assert.deepEqual(
        mine.map((c) => c.log.filter((e) => e.event === "msg").length),
        [3, 3, 2],
        "msg events in the child (from its own broadcasts only)",
      );

      // emit-ack and fetch see the child's sockets only
      await settle(A, mine);
      const [acked] = await A.call("emit-ack", { rooms: ["r1"], event: "probe", args: [], timeout: 2000 });
      assert.deepEqual({ ...acked, responses: sorted(acked.responses) }, { error: null, responses: ["A", "B"] });
      const [fetched] = await C.call("fetch", { rooms: ["r1"] });
      assert.deepEqual(
        sorted(fetched.map((s) => `${s.id} ${sorted(s.rooms).join(",")} ${s.data.name}`)),
        sorted([`${A.id} ${sorted([A.id, "r1"]).join(",")} a`, `${B.id} ${sorted([B.id, "r1", "r2"]).join(",")} b`]),
      );
      const [fetchedTwo] = await D.call("fetch", { rooms: ["r1"] });
      assert.deepEqual(
        fetchedTwo.map((s) => [s.id, s.data]),
        [[D.id, { name: "d", node: NODE_NAME }]],
      );
      const [roomsOne] = await A.call("rooms");
      const [roomsTwo] = await D.call("rooms");
      for (const r of ["r1", "r2", A.id, B.id, C.id]) {
        assert.ok(roomsOne.includes(r), `${r} in ${JSON.stringify(roomsOne)}`);
      }
      assert.ok(!roomsOne.includes(D.id) && !roomsOne.includes(E.id), `child one's rooms: ${JSON.stringify(roomsOne)}`);
      assert.deepEqual(sorted(roomsTwo), sorted([D.id, "r1"]), "child two's rooms");
    });

    it("parent-emit reaches every socket of every child, no socket of / or /chat", T, async (t) => {
      const [A, B, C, G, H] = await Promise.all([
        connect(t, server, "A", { nsp: "/dyn-1", transport: "websocket" }),
        connect(t, server, "B", { nsp: "/dyn-1", transport: "polling" }),
        connect(t, server, "C", { nsp: "/dyn-22", transport: "default" }),
        connect(t, server, "G", { transport: "polling" }),
        connect(t, server, "H", { nsp: "/chat", transport: "default" }),
      ]);
      // D (/dyn-333), E (/) and F (/chat) share one connection
      const mgr = manager(t, server, "websocket");
      const D = await connectOn(mgr, "D", "/dyn-333");
      const E = await connectOn(mgr, "E", "/");
      const F = await connectOn(mgr, "F", "/chat");
      await A.call("join", "r1");
      const children = [A, B, C, D];
      const outside = [E, F, G, H];
      const all = [...children, ...outside];

      const check = async (sender) => {
        const tag = uniq("pe");
        const args = [tag, 1, { x: [Buffer.from([1, 2, 255])] }, Buffer.from("bin"), null];
        assert.deepEqual(await sender.call("parent-emit", { event: "pe", args }), [], `${sender.label}: ack`);
        await Promise.all(children.map((c) => c.until(() => c.got("pe", tag).length > 0, 5000, `pe ${tag}`)));
        for (const c of children) assert.deepEqual(plain(c.got("pe", tag)[0].args), plain(args), `${c.label} args`);
        await fence(A, [A, B]);
        await fence(C, [C]);
        await fence(D, [D]);
        await fence(E, [E, G]);
        await fence(F, [F, H]);
        await sleep(100);
        assert.deepEqual(counts(all, "pe", tag), only(all, "A", "B", "C", "D"), `parent-emit from ${sender.label}`);
      };
      await check(A); // from a child
      await check(G); // from "/"
      await check(F); // from "/chat", over the shared connection
    });

    it("a child created by one client is reused by the next", T, async (t) => {
      const nsp = freshChild();
      const A = await connect(t, server, "A", { nsp, transport: "websocket", auth: { name: "first" } });
      await A.call("join", "r1");
      const B = await connect(t, server, "B", { nsp, transport: "polling", auth: { name: "second" } });
      const C = await connect(t, server, "C", { nsp, transport: "default" });
      const abc = [A, B, C];
      for (const c of abc) assert.equal((await c.me()).nsp, nsp, `${c.label} nsp`);
      // a broadcast in it from the latest client reaches the first one (same namespace)
      assert.deepEqual(await deliveries(C, { rooms: [] }, abc), only(abc, "A", "B", "C"), "C to everyone");
      assert.deepEqual(await deliveries(B, { rooms: ["r1"] }, abc), only(abc, "A"), "B to r1 (joined by A)");
      const [fetched] = await B.call("fetch", {});
      assert.deepEqual(sorted(fetched.map((s) => s.id)), sorted(abc.map((c) => c.id)), "fetch from B");
      // a new client after A left still joins the same child: the room r1 is gone with A
      A.socket.disconnect();
      await settle(B, [B, C]);
      const D = await connect(t, server, "D", { nsp, transport: "websocket" });
      assert.deepEqual(await deliveries(D, { rooms: [] }, [B, C, D]), only([B, C, D], "B", "C", "D"), "D to everyone");
      assert.deepEqual(await deliveries(D, { rooms: ["r1"] }, [B, C, D]), only([B, C, D]), "r1 is empty");
    });

    it("io.of(name) for a name the regex parent matches makes its child: the parent's middleware and handlers, then its own", T, async (t) => {
      const A = await connect(t, server, "A", { nsp: "/dyn-0", transport: "websocket", auth: { name: "alice" } });
      const me = await A.me();
      assert.equal(me.nsp, "/dyn-0");
      assert.deepEqual(me.data, { name: "alice", node: NODE_NAME });
      assert.deepEqual(sorted(me.rooms), sorted([A.id, "explicit"]));
    });

    for (const [nsp, accepted] of [
      ["/find-7", true],
      ["/find-7x", true],
      ["/x/find-7", false],
    ]) {
      it(`a regex parent tests names as RegExp.test does: ${nsp} is ${accepted ? "accepted" : "refused"}`, T, async (t) => {
        const attempt = connect(t, server, "X", { nsp, transport: "websocket" });
        if (!accepted) return assert.rejects(attempt, { message: "Invalid namespace" });
        assert.equal((await (await attempt).me()).nsp, nsp);
      });
    }

    for (const [nsp, accepted] of [
      ["/lookup-4", true],
      ["/lookup-5", false],
    ]) {
      it(`an asynchronous matcher answers later: ${nsp} is ${accepted ? "accepted" : "refused"}`, T, async (t) => {
        const attempt = connect(t, server, "X", { nsp, transport: "websocket", auth: { name: "x" } });
        if (!accepted) return assert.rejects(attempt, { message: "Invalid namespace" });
        const me = await (await attempt).me();
        assert.equal(me.nsp, nsp);
        assert.deepEqual(me.data, { name: "x", node: NODE_NAME });
      });
    }

    it("a client that leaves while the asynchronous matcher decides leaves nothing behind", T, async (t) => {
      const nsp = `/lookup-${process.pid}0`;
      const m = manager(t, server, "websocket");
      const opened = new Promise((resolve) => m.once("open", resolve));
      m.socket(nsp).connect(); // its CONNECT goes as soon as the connection is open
      await opened;
      await sleep(5);
      m.engine.close(); // before the matcher's answer, 20 ms after the CONNECT
      await sleep(50);
      const A = await connect(t, server, "A", { nsp, transport: "polling" });
      assert.deepEqual((await A.call("lookup", { room: A.id, id: A.id }))[0].ids, [A.id]);
    });

    it("new_namespace announces a child made on connection", T, async (t) => {
      const nsp = freshChild();
      await connect(t, server, "A", { nsp, transport: "polling" });
      const R = await connect(t, server, "R", { transport: "websocket" });
      const [created] = await R.call("new-namespaces");
      assert.ok(created.includes(nsp), JSON.stringify(created));
      assert.ok(created.includes("/chat") && created.includes("/dyn-0"), JSON.stringify(created));
      assert.ok(!created.includes("/"), "not for the main namespace");
    });
  });
}
