// A node killed with SIGKILL (no goodbye to Redis or its clients) drops out
// of the cluster, and once restarted on the same port it is a full member
// again: counted, reached by broadcasts, and reaching the others.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ADAPTERS, suiteTitle, useCluster, waitFor } from "./lib/cluster.js";
import { clearLogs, connect, deliveries, expected, settle, spread } from "./lib/clients.js";
import { once } from "../lib/sio.js";

const T = { timeout: 40_000 };

for (const adapter of ADAPTERS) {
  describe(suiteTitle("cluster node restart", adapter), () => {
    const cluster = useCluster({ adapter });

    for (const victim of ["cpp-a", "node-a"]) {
      test(`${victim} killed and restarted rejoins`, T, async (t) => {
        const others = cluster.nodes.filter((n) => n.name !== victim);
        const clients = await spread(t, cluster, "/", { perNode: 1, prefix: `${victim}-before-` });
        const doomed = clients.find((c) => c.info.node === victim);
        const survivors = clients.filter((c) => c !== doomed);

        const gone = once(doomed, "disconnect");
        await cluster.kill(victim);
        // A WebSocket sees the connection closed, a poll in flight fails.
        assert.match((await gone)[0], /^transport (close|error)$/);
        // Redis drops the dead node's subscriptions with its connections.
        await waitFor(async () => (await survivors[0].call("count")) === others.length, 5000, "count without the victim");
        for (const c of survivors) assert.equal(await c.call("count"), others.length, c.info.node);
        // The survivors still work as a cluster (requests expect the new count: no 5 s timeout).
        const started = Date.now();
        const fetched = await survivors[0].call("fetch", {});
        assert.deepEqual(fetched.map((s) => s.id).sort(), survivors.map((c) => c.id).sort());
        assert.ok(Date.now() - started < 2000, "fetch waited for the dead node");

        await cluster.restart(victim);
        const node = cluster.node(victim);
        const fresh = [
          await connect(t, node, "/", { name: `${victim}-new-ws`, transport: "websocket" }),
          await connect(t, node, "/", { name: `${victim}-new-poll`, transport: "polling" }),
        ];
        const all = [...survivors, ...fresh];
        for (const c of all) assert.equal(await c.call("count"), cluster.nodes.length, c.info.node);

        // Broadcasts both ways, from every node.
        for (const sender of [...survivors, fresh[0]]) {
          const event = `after-restart-${sender.info.name}`;
          clearLogs(all);
          await sender.call("emit", { event, args: [sender.info.node] });
          await settle(sender, all);
          assert.deepEqual(deliveries(all, event), expected(all, [sender.info.node]), `from ${sender.info.node}`);
        }
        const fetchedAll = await fresh[1].call("fetch", {});
        assert.deepEqual(fetchedAll.map((s) => s.id).sort(), all.map((c) => c.id).sort());
      });
    }
  });
}
