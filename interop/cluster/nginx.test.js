// Long-polling behind a load balancer: a real nginx in front of two C++ nodes, sticky per client,
// and polling-only clients chatting across the nodes through Redis.
//
// In production `ip_hash` keeps a client address on one node (examples/cluster/nginx.conf). Every
// test client comes from 127.0.0.1, so here nginx hashes a per-client header instead, which
// stands for the address: same stickiness, but the clients spread over both nodes.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, suiteTitle, useCluster, waitFor } from "./lib/cluster.js";
import { clearLogs, connect, deliveries, expected, settle } from "./lib/clients.js";

const NGINX = process.env.NGINX ?? "/usr/sbin/nginx";
const T = { timeout: 30_000 };

function nginxConfig(dir, port, upstreams) {
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((name) => `  ${name}_temp_path ${dir}/${name};`)
    .join("\n");
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
  access_log off;
${temp}
  upstream nodes {
    hash $http_x_client_address;
${upstreams.map((p) => `    server 127.0.0.1:${p};`).join("\n")}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://nodes;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
    }
  }
}
`;
}

describe(suiteTitle("nginx in front of two nodes", "classic"), () => {
  let nginx;
  let dir;
  // Registered before the cluster's hooks so that it runs even when their after() fails (a node
  // that exits uncleanly): a live nginx child would keep this file from ever finishing.
  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once("exit", resolve));
      nginx.kill("SIGQUIT");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  process.once("exit", () => nginx?.kill("SIGKILL"));

  const cluster = useCluster({
    adapter: "classic",
    specs: [
      { kind: "cpp", name: "cpp-a" },
      { kind: "cpp", name: "cpp-b" },
    ],
  });
  const front = {};

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sio-nginx-"));
    const port = await freePort();
    writeFileSync(path.join(dir, "nginx.conf"), nginxConfig(dir, port, cluster.nodes.map((n) => n.port)));
    nginx = spawn(NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: "inherit" });
    Object.assign(front, { name: "nginx", base: `http://127.0.0.1:${port}` });
    await waitFor(
      async () => (await fetch(`${front.base}/socket.io/?EIO=4&transport=polling`).catch(() => null))?.status === 200,
      5000,
      "nginx answering",
    );
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
