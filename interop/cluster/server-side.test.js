// Messages between the servers themselves: serverSideEmit from every node
// (without ack: "relay" re-emitted by the other nodes to their own clients;
// with ack: "hello" answered by every other node), and
// @socket.io/redis-emitter publishing into the cluster from outside.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { Emitter } from "@socket.io/redis-emitter";
import { ADAPTERS, suiteTitle, useCluster } from "./lib/cluster.js";
import { NAMESPACES, clearLogs, deliveries, expected, population, settle, waitMark } from "./lib/clients.js";

const T = { timeout: 30_000 };
const byNode = (a, b) => a.node.localeCompare(b.node);

for (const adapter of ADAPTERS) {
  describe(suiteTitle("cluster server-side messages", adapter), () => {
    const cluster = useCluster({ adapter });

    test("serverSideEmit without ack: relay reaches the clients of every other node", T, async (t) => {
      const world = await population(t, cluster);
      // JSON only: the classic adapter sends serverSideEmit as JSON, so Node itself turns a
      // Buffer into {type: "Buffer", data: [...]} there (the sharded one keeps it binary).
      const args = ["relayed", 1, { b: [9, 8, 7], s: "é" }];
      let n = 0;
      for (const nsp of NAMESPACES) {
        const clients = world[nsp];
        const other = world[NAMESPACES.find((x) => x !== nsp)];
        for (const sender of clients.slice(0, 3)) {
          const event = `relayed${++n}`;
          clearLogs([...clients, ...other]);
          assert.equal(await sender.call("sse", { event: "relay", args: [event, ...args.slice(1)], ack: false }), undefined);
          await settle(sender, clients);
          await settle(other[clients.indexOf(sender)], other);
          const where = `${nsp} from ${sender.info.node}`;
          // The emitting node does not get its own serverSideEmit.
          const want = clients.filter((c) => c.info.node !== sender.info.node);
          assert.deepEqual(deliveries(clients, event), expected(want, args.slice(1)), where);
          assert.deepEqual(deliveries(other, event), {}, `${where}: leaked into the other namespace`);
        }
      }
    });

    test("serverSideEmit with ack: one hello reply from every other node", T, async (t) => {
      const world = await population(t, cluster);
      const args = [1, "two", { three: [3] }];
      for (const nsp of NAMESPACES) {
        for (const sender of world[nsp].slice(0, 3)) {
          const reply = await sender.call("sse", { event: "hello", args, ack: true });
          const where = `${nsp} from ${sender.info.node}`;
          assert.equal(reply.error, null, where);
          const want = cluster.nodes
            .filter((n) => n.name !== sender.info.node)
            .map((n) => ({ node: n.name, nsp, args }))
            .sort(byNode);
          assert.deepEqual([...reply.replies].sort(byNode), want, where);
        }
      }
    });

    describe("@socket.io/redis-emitter", { skip: adapter !== "classic" && "redis-emitter 5.1 publishes with PUBLISH only (no sharded variant)" }, () => {
      let redis;
      let emitter;
      before(async () => {
        redis = createClient({ url: cluster.redis.url });
        await redis.connect();
        emitter = new Emitter(redis);
      });
      after(async () => {
        await redis?.quit();
      });

      let markSeq = 0;
      /** The emitter's own barrier: one publisher, so its messages keep their order. */
      const emitterSettle = async (world) => {
        const ids = [];
        for (const nsp of NAMESPACES) {
          const id = `e${++markSeq}`;
          emitter.of(nsp).emit("mark", id);
          ids.push(waitMark(world[nsp], id));
        }
        await Promise.all(ids);
      };

      test("emit to a namespace and to rooms reaches the clients of every node", T, async (t) => {
        const world = await population(t, cluster);
        const all = [...world["/"], ...world["/chat"]];
        const binary = { raw: Buffer.from([0, 255, 1]), s: "é" };
        const cases = [
          ["/", (e) => e.emit("to-all", 1, binary), "to-all", [1, binary], world["/"]],
          ["/chat", (e) => e.to("r1").emit("to-r1", "x"), "to-r1", ["x"], world["/chat"].filter((c) => c.rooms.has("r1"))],
          [
            "/",
            (e) => e.to(["r1", "r2"]).except("r1").emit("r2-not-r1", true),
            "r2-not-r1",
            [true],
            world["/"].filter((c) => c.rooms.has("r2") && !c.rooms.has("r1")),
          ],
        ];
        for (const [nsp, send, event, args, who] of cases) {
          clearLogs(all);
          send(emitter.of(nsp));
          await emitterSettle(world);
          assert.deepEqual(deliveries(all, event), expected(who, args), `${nsp} ${event}`);
        }
      });

      test("serverSideEmit relay reaches the clients of every node", T, async (t) => {
        const world = await population(t, cluster);
        for (const nsp of NAMESPACES) {
          const all = [...world["/"], ...world["/chat"]];
          clearLogs(all);
          emitter.of(nsp).serverSideEmit("relay", "from-emitter", { n: 5 });
          await emitterSettle(world);
          // The emitter is no node: every node relays it.
          assert.deepEqual(deliveries(all, "from-emitter"), expected(world[nsp], [{ n: 5 }]), nsp);
        }
      });
    });
  });
}
