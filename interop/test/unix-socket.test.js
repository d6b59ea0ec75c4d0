// A Unix domain socket listener behind nginx (`proxy_pass http://unix:...`), the usual fast path
// of a proxy on the same host: socket.io-client 4.x through nginx over polling, WebSocket and the
// upgrade, on 1 and 2 shards (an upgrade may move the connection to its session's shard), with
// the TCP listener serving beside it. Our listener is the subject, so there is no Node twin.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startNginx } from "../lib/nginx.js";
import { OPS_TARGETS, startServer, unavailable } from "../lib/server.js";
import { SIO_VARIANTS, once } from "../lib/sio.js";
import { withTimeout } from "../lib/time.js";

/** A GET over the Unix socket itself: {status, body}. */
function getOverSocket(socketPath, target) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.get({ socketPath, path: target, agent: false }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, body }));
      });
      req.on("error", reject);
    }),
    5000,
    `GET ${target} over ${socketPath}`,
  );
}

for (const target of OPS_TARGETS.filter((t) => t.name !== "node")) {
  describe(`unix socket behind nginx [${target.name}]`, { skip: unavailable(target) ?? false }, () => {
    let dir, server, nginx;
    const front = {};

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "sio-unix-"));
      front.socketPath = path.join(dir, "sio.sock");
      server = await startServer(target, ["--unix", front.socketPath]);
      // nginx's workers run as another user (nobody) when the tests run as root: let them in, as a
      // deployment does for its proxy's user.
      chmodSync(dir, 0o755);
      chmodSync(front.socketPath, 0o666);
      nginx = await startNginx({ servers: [`unix:${front.socketPath}`] });
      front.base = nginx.base;
    });
    after(async () => {
      await nginx?.stop();
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    for (const variant of SIO_VARIANTS) {
      test(`socket.io-client over ${variant.name}, through nginx to the Unix socket`, async (t) => {
        const socket = io(front.base, { forceNew: true, reconnection: false, auth: { name: variant.name }, ...variant.opts });
        t.after(() => socket.disconnect());
        await once(socket, "connect");
        if (variant.upgrade && socket.io.engine.transport.name !== "websocket") await once(socket.io.engine, "upgrade");
        const me = await socket.timeout(5000).emitWithAck("me");
        assert.equal(me.id, socket.id);
        assert.equal(me.data.name, variant.name);
        assert.equal(socket.io.engine.transport.name, variant.final);
        // The TCP listener serves the same server beside it.
        const direct = io(server.base, { forceNew: true, reconnection: false, transports: ["websocket"] });
        t.after(() => direct.disconnect());
        await once(direct, "connect");
        const seen = once(socket, "hello");
        await direct.timeout(5000).emitWithAck("emit", { rooms: [], event: "hello", args: ["from tcp"] });
        assert.deepEqual(await seen, ["from tcp"]);
      });
    }

    test("a handshake straight over the socket, which has no remote address", async () => {
      const open = await getOverSocket(front.socketPath, "/socket.io/?EIO=4&transport=polling");
      assert.equal(open.status, 200);
      assert.match(open.body, /^0\{"sid":/);
    });
  });
}
