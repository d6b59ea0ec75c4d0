// The node program itself: its listening line, configuration by environment
// variables alone, and a clean leave on SIGTERM.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ADAPTERS, suiteTitle, useCluster } from "./lib/cluster.js";
import { connect } from "./lib/clients.js";

const T = { timeout: 30_000 };

for (const adapter of ADAPTERS) {
  describe(suiteTitle("cluster node lifecycle", adapter), () => {
    const cluster = useCluster({ adapter });

    test("each node prints where it listens", T, () => {
      for (const n of cluster.nodes) {
        assert.equal(n.line, `cluster_node ${n.name} listening on http://127.0.0.1:${n.port}/socket.io/`);
      }
    });

    for (const kind of ["cpp", "node"]) {
      test(`a ${kind === "cpp" ? "C++" : "Node"} node configured by environment variables only joins, then leaves on SIGTERM`, T, async (t) => {
        const name = `${kind}-env`;
        const node = await cluster.add({ kind, name, viaEnv: true });
        assert.equal(node.line, `cluster_node ${name} listening on http://127.0.0.1:${node.port}/socket.io/`);
        const c = await connect(t, node, "/chat", { name: "e0" });
        assert.equal(await c.call("count"), cluster.nodes.length);
        assert.deepEqual((await c.call("me")).data, { name: "e0", node: name });
        const peer = await connect(t, cluster.nodes[0], "/chat", { name: "p0" });
        const fetched = await peer.call("fetch", {});
        assert.deepEqual(fetched.map((s) => s.data).sort((a, b) => a.name.localeCompare(b.name)), [
          { name: "e0", node: name },
          { name: "p0", node: cluster.nodes[0].name },
        ]);

        const started = Date.now();
        const exit = await cluster.remove(name);
        assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, "exit on SIGTERM");
        assert.ok(Date.now() - started < 2500, "SIGTERM exit took too long");
        assert.equal(await peer.call("count"), cluster.nodes.length);
      });
    }
  });
}
