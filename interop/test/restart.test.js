// Server restart: a connected client sees the close, the server comes back on
// the same port, the client opens a new session (own reconnect loop: the
// engine.io client has none) and the old sid is unknown.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { SHARDED_TARGETS, startServer } from "../lib/server.js";
import { skipReason } from "../lib/fixture.js";
import { connectV4, closed, echo, upgraded, sleep } from "../lib/clients.js";
import { poll } from "../lib/raw.js";

/** Opens a new v4 socket, retrying every 100 ms for up to `ms`. */
async function reconnect(t, server, opts, ms = 8000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await connectV4(t, server, opts, 2000);
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`could not reconnect: ${e.message}`);
      await sleep(100);
    }
  }
}

for (const target of SHARDED_TARGETS) {
  describe(`server restart [${target.name}]`, { skip: skipReason(target) }, () => {
    const running = [];
    after(() => Promise.all(running.map((s) => s.stop())));

    for (const transport of ["polling", "websocket", "upgrade"]) {
      test(`${transport} client reconnects after a restart on the same port`, { timeout: 30_000 }, async (t) => {
        const opts = transport === "upgrade" ? {} : { transports: [transport] };
        const first = await startServer(target);
        running.push(first);
        const socket = await connectV4(t, first, opts);
        if (transport === "upgrade") await upgraded(socket);
        const oldSid = socket.id;
        assert.equal(await echo(socket, "before"), "before");

        const isClosed = closed(socket, 10_000);
        await first.stop();
        await isClosed;

        const second = await startServer(target, ["--port", String(first.port)]);
        running.push(second);
        assert.equal(second.port, first.port);
        const again = await reconnect(t, second, opts);
        assert.notEqual(again.id, oldSid);
        assert.equal(await echo(again, "after"), "after");

        const res = await poll(second, oldSid);
        assert.equal(res.status, 400);
        assert.equal(res.contentType, "application/json");
        assert.deepEqual(res.json, { code: 1, message: "Session ID unknown" });
        again.close();
        await second.stop();
      });
    }
  });
}
