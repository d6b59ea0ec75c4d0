// Long-polling behind a load balancer: a real nginx in front of two C++ nodes, sticky per client,
// and polling-only clients chatting across the nodes through Redis.
//
// In production `ip_hash` keeps a client address on one node (examples/cluster/nginx.conf). Every
// test client comes from 127.0.0.1, so here nginx hashes a per-client header instead, which
// stands for the address: same stickiness, but the clients spread over both nodes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startNginx } from "../lib/nginx.js";
import { suiteTitle, useCluster, waitFor } from "./lib/cluster.js";
import { clearLogs, connect, deliveries, expected, settle } from "./lib/clients.js";

const T = { timeout: 30_000 };

describe(suiteTitle("nginx in front of two nodes", "classic"), () => {
  let nginx;
  // Registered before the cluster's hooks so that it runs even when their after() fails (a node
  // that exits uncleanly): a live nginx child would keep this file from ever finishing.
  after(async () => nginx?.stop());

  const cluster = useCluster({
    adapter: "classic",
    specs: [
      { kind: "cpp", name: "cpp-a" },
      { kind: "cpp", name: "cpp-b" },
    ],
  });
  const front = {};

  before(async () => {
    nginx = await startNginx({
      servers: cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
      hash: "$http_x_client_address",
    });
    Object.assign(front, { name: "nginx", base: nginx.base });
  });

  // Clients with distinct addresses, which land on both nodes: nginx's plain hash (not the
  // consistent one, whose ring depends on the nodes' ports) maps an address the same way in
  // every run.
  async function clientsOnBothNodes(t, transport) {
    const clients = [];
    for (let i = 0; i < 8; i++) {
      const c = await connect(t, front, "/", {
        name: `${transport}-${i}`,
        transport,
        extraHeaders: { "x-client-address": `10.0.0.${i}` },
      });
      c.info.node = (await c.call("me")).node;
      clients.push(c);
    }
    const nodes = new Set(clients.map((c) => c.info.node));
    assert.deepEqual([...nodes].sort(), ["cpp-a", "cpp-b"], "the hash sent clients to both nodes");
    return clients;
  }

  test("polling-only clients stay on their node and chat across nodes", T, async (t) => {
    const clients = await clientsOnBothNodes(t, "polling");
    for (const c of clients) assert.equal(c.io.engine.transport.name, "polling");
    // Many rounds of polls per session: any request reaching the wrong node would end it
    // ("Session ID unknown") and fail the comparison below.
    for (const sender of clients) {
      clearLogs(clients);
      await sender.call("emit", { event: "chat message", args: [`${sender.info.name} on ${sender.info.node}`] });
      await settle(sender, clients);
      assert.deepEqual(
        deliveries(clients, "chat message"),
        expected(clients, [`${sender.info.name} on ${sender.info.node}`]),
        `from ${sender.info.name}`,
      );
    }
    for (const c of clients) {
      assert.equal(c.connected, true, c.info.name);
      assert.equal((await c.call("me")).node, c.info.node, `${c.info.name} moved`);
    }
  });

  test("clients upgrade to WebSocket through nginx", T, async (t) => {
    const clients = await clientsOnBothNodes(t, "upgrade");
    await waitFor(async () => clients.every((c) => c.io.engine.transport.name === "websocket"), 5000, "upgrades");
    const sender = clients[clients.length - 1];
    clearLogs(clients);
    await sender.call("emit", { event: "chat message", args: ["over websocket"] });
    await settle(sender, clients);
    assert.deepEqual(deliveries(clients, "chat message"), expected(clients, ["over websocket"]));
  });
});
