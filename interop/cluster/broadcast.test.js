// Broadcasts across the mixed cluster: every emit is sent from a client of
// each node in turn, in "/" and "/chat", and what every client of both
// namespaces received is compared with the exact expected set.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ADAPTERS, suiteTitle, useCluster } from "./lib/cluster.js";
import {
  NAMESPACES,
  audience,
  clearLogs,
  deliveries,
  expected,
  population,
  settle,
  connect,
} from "./lib/clients.js";

const T = { timeout: 30_000 };

/**
 * Sends `emit` with `opts` from the first client of each node (c0 c1 c2),
 * in both namespaces, and checks every client of both namespaces.
 * `opts` may be a function of (clients, sender) for socket-id rooms.
 */
async function check(world, opts, args = ["payload", 1, { deep: [true, null] }]) {
  let n = 0;
  for (const nsp of NAMESPACES) {
    const clients = world[nsp];
    const other = world[NAMESPACES.find((x) => x !== nsp)];
    for (const sender of clients.slice(0, 3)) {
      const o = typeof opts === "function" ? opts(clients, sender) : opts;
      const event = `ev${++n}`;
      clearLogs([...clients, ...other]);
      assert.equal(await sender.call("emit", { ...o, event, args }), undefined);
      await settle(sender, clients);
      // Same node as the sender, so published after the emit above.
      await settle(other[clients.indexOf(sender)], other);
      const where = `${nsp} from ${sender.info.name}@${sender.info.node} ${JSON.stringify(o)}`;
      assert.deepEqual(deliveries(clients, event), expected(audience(clients, sender, o), args), where);
      assert.deepEqual(deliveries(other, event), {}, `${where}: leaked into the other namespace`);
    }
  }
}

for (const adapter of ADAPTERS) {
  describe(suiteTitle("cluster broadcasts", adapter), () => {
    const cluster = useCluster({ adapter });

    test("to every socket of the namespace", T, async (t) => {
      await check(await population(t, cluster), {});
    });

    test("to one room, to two rooms (each socket once)", T, async (t) => {
      const world = await population(t, cluster);
      await check(world, { rooms: ["r1"] });
      await check(world, { rooms: ["r1", "r2"] });
      await check(world, { rooms: ["nobody-here"] });
    });

    test("with except", T, async (t) => {
      const world = await population(t, cluster);
      await check(world, { except: ["r2"] });
      await check(world, { rooms: ["r1"], except: ["r2"] });
      await check(world, (clients) => ({ except: [clients[3].id, clients[5].id] }));
    });

    test("to a socket id of another node (private room)", T, async (t) => {
      const world = await population(t, cluster);
      await check(world, (clients, sender) => ({ rooms: [clients[(clients.indexOf(sender) + 4) % 6].id] }));
    });

    test("broadcast (socket.to) skips the sender", T, async (t) => {
      const world = await population(t, cluster);
      await check(world, { broadcast: true });
      await check(world, { broadcast: true, rooms: ["r2"] });
      await check(world, { broadcast: true, except: ["r1"] });
    });

    test("local stays on the sender's node", T, async (t) => {
      const world = await population(t, cluster);
      await check(world, { local: true });
      await check(world, { local: true, rooms: ["r1", "r2"] });
    });

    test("binary arguments cross nodes intact", T, async (t) => {
      const world = await population(t, cluster);
      const big = Buffer.alloc(50_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
      const args = [Buffer.from([0, 1, 2, 255]), { blob: big, text: "é😀", list: [Buffer.from("x"), 2] }, "tail"];
      await check(world, {}, args);
      await check(world, { rooms: ["r2"] }, args);
    });

    test("after leave, a room broadcast skips the socket on every node", T, async (t) => {
      const world = await population(t, cluster);
      for (const nsp of NAMESPACES) {
        // c4 and c2 leave r1: only c0 stays, so nodes b and c drop the room.
        for (const i of [4, 2]) {
          assert.equal(await world[nsp][i].call("leave", ["r1"]), undefined);
          world[nsp][i].rooms.delete("r1");
        }
        await cluster.roomSubscribers(nsp, "r1", 1);
      }
      await check(world, { rooms: ["r1"] });
      await check(world, { rooms: ["r1", "r2"] });
    });

    test("emit with ack collects one reply per client on every node", T, async (t) => {
      const world = await population(t, cluster);
      for (const nsp of NAMESPACES) {
        const clients = world[nsp];
        for (const c of clients) c.on("ask", (...a) => a.pop()({ name: c.info.name, id: c.id, got: a }));
        for (const sender of clients.slice(0, 3)) {
          for (const o of [{}, { rooms: ["r1"] }, { rooms: ["r2"], except: ["r1"] }, { broadcast: true }]) {
            const reply = await sender.call("emit-ack", { ...o, event: "ask", args: [7, "x"], timeout: 3000 });
            const want = audience(clients, sender, o)
              .map((c) => ({ name: c.info.name, id: c.id, got: [7, "x"] }))
              .sort((a, b) => a.name.localeCompare(b.name));
            const where = `${nsp} from ${sender.info.node} ${JSON.stringify(o)}`;
            assert.equal(reply.error, null, where);
            assert.deepEqual([...reply.responses].sort((a, b) => a.name.localeCompare(b.name)), want, where);
          }
        }
      }
    });

    test("emit with ack times out on a silent client, keeping the other replies", T, async (t) => {
      const world = await population(t, cluster);
      const clients = world["/"];
      for (const c of clients) c.on("ask", (...a) => a.pop()(c.info.name));
      // On the Node node, while the senders are the others: the timeout is
      // decided across nodes.
      const silent = await connect(t, cluster.nodes[2], "/", { name: "silent" });
      await silent.call("join", "r1");
      for (const sender of clients.slice(0, 2)) {
        const started = Date.now();
        const reply = await sender.call("emit-ack", { rooms: ["r1"], event: "ask", args: [], timeout: 500 });
        const where = `from ${sender.info.node}`;
        assert.equal(reply.error, "operation has timed out", where);
        assert.deepEqual([...reply.responses].sort(), ["c0", "c2", "c4"], where);
        assert.ok(Date.now() - started >= 450, `${where}: answered before the timeout`);
      }
    });
  });
}
