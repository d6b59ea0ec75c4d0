// Server restart: a socket.io-client 4.8 socket with its Manager's
// reconnection (small delays) sees the disconnect, reconnects on its own
// when the server comes back on the same port, and works again.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { skipReason } from "../lib/fixture.js";
import { SIO_TARGETS, startServer } from "../lib/server.js";
import { SIO_VARIANTS, connectSio, engineUpgraded, echoArgs, ackArgs, once, disconnected } from "../lib/sio.js";

const RECONNECT = { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200, randomizationFactor: 0 };

for (const target of SIO_TARGETS) {
  describe(`socket.io server restart [${target.name}]`, { skip: skipReason(target) }, () => {
    const running = [];
    after(() => Promise.all(running.map((s) => s.stop())));

    for (const v of SIO_VARIANTS) {
      for (const nsp of ["/", "/custom"]) {
        test(`${v.name}, ${nsp}: reconnects after a restart on the same port`, { timeout: 30_000 }, async (t) => {
          const first = await startServer(target);
          running.push(first);
          const auth = { token: "abc" };
          const socket = await connectSio(t, first, nsp, { ...v.opts, ...RECONNECT, auth });
          if (v.upgrade) await engineUpgraded(socket);
          const firstId = socket.id;
          assert.deepEqual(await echoArgs(socket, ["before"]), ["before"]);

          let attempts = 0;
          socket.io.on("reconnect_attempt", () => attempts++);
          const gone = disconnected(socket, 5000);
          await first.stop();
          await gone;
          assert.equal(socket.connected, false);

          const reconnected = once(socket.io, "reconnect", 15_000);
          const back = once(socket, "connect", 15_000);
          const authAgain = once(socket, "auth", 15_000);
          const second = await startServer(target, ["--port", String(first.port)]);
          running.push(second);
          assert.equal(second.port, first.port);
          await reconnected;
          await back;
          assert.deepEqual(await authAgain, [auth], "auth sent again on reconnection");
          assert.ok(attempts >= 1);
          assert.notEqual(socket.id, firstId, "a new socket id");
          if (v.upgrade) await engineUpgraded(socket);
          assert.equal(socket.io.engine.transport.name, v.final);
          assert.deepEqual(await echoArgs(socket, ["after", 2]), ["after", 2]);
          assert.deepEqual(await ackArgs(socket, "message-with-ack", [3, "x"]), [3, "x"]);
          socket.disconnect();
          await second.stop();
        });
      }
    }
  });
}
