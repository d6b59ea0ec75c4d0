// Disconnections seen by socket.io-client 4.8: the server stopped with
// SIGTERM ("transport close"), heartbeats keeping idle clients connected, a
// raw client that never answers pings, --ping-interval / --ping-timeout,
// the connect timeout.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { describeTargets, skipReason } from "../lib/fixture.js";
import { SIO_TARGETS, startServer } from "../lib/server.js";
import { SIO_VARIANTS, connectSio, engineUpgraded, echoArgs, disconnected } from "../lib/sio.js";
import { openSioWs, closesWithin } from "../lib/sio-raw.js";
import { sleep } from "../lib/time.js";

const T = { timeout: 15_000 };

for (const target of SIO_TARGETS) {
  describe(`socket.io server stopped [${target.name}]`, { skip: skipReason(target) }, () => {
    const running = [];
    after(() => Promise.all(running.map((s) => s.stop())));

    for (const v of SIO_VARIANTS) {
      test(`${v.name}: SIGTERM gives the client "transport close"`, T, async (t) => {
        // no ping during the test: the client's GET is parked when the server
        // stops (a GET in flight would make it a "transport error", in Node too)
        const server = await startServer(target, ["--ping-interval", "5000", "--ping-timeout", "2000"]);
        running.push(server);
        const socket = await connectSio(t, server, "/custom", v.opts);
        if (v.upgrade) await engineUpgraded(socket);
        assert.deepEqual(await echoArgs(socket, ["before"]), ["before"]);
        await sleep(100); // let the next GET reach the server
        const gone = disconnected(socket, 5000);
        const exit = await server.stop();
        const [reason] = await gone;
        assert.equal(reason, "transport close");
        assert.deepEqual(exit, { code: 0, signal: null }, "exit status");
        assert.equal(socket.connected, false);
      });
    }
  });
}

describeTargets(
  "socket.io heartbeat (--ping-interval 300 --ping-timeout 200)",
  ["--ping-interval", "300", "--ping-timeout", "200"],
  (server) => {
    for (const v of SIO_VARIANTS) {
      test(`${v.name}: an idle client stays connected for 1.6 s`, T, async (t) => {
        const socket = await connectSio(t, server, "/", v.opts);
        if (v.upgrade) await engineUpgraded(socket);
        let pings = 0;
        let gone = null;
        socket.io.on("ping", () => pings++);
        socket.on("disconnect", (reason) => (gone = reason));
        await sleep(1600);
        assert.equal(gone, null, `disconnected: ${gone}`);
        assert.ok(pings >= 3, `only ${pings} pings in 1.6 s`);
        assert.deepEqual(await echoArgs(socket, ["still here"]), ["still here"]);
      });
    }

    test("raw websocket that joins / and never answers pings is closed within ~1 s", T, async () => {
      const w = await openSioWs(server, { pong: false });
      const openedAt = Date.now();
      w.send("40");
      assert.match(await w.next(), /^40\{"sid":"[\w-]{20}"\}$/);
      assert.equal(await w.next(), '42["auth",{}]');
      const { at } = await w.closed;
      const ms = at - openedAt;
      assert.ok(ms >= 350 && ms <= 1500, `closed after ${ms} ms, expected 350..1500 (300 + 200)`);
      assert.equal(w.pings, 1, "one ping, then the close");
      assert.deepEqual(w.frames.slice(2), [], "no packet after the auth event");
    });

    test("raw websocket that answers pings stays joined", T, async () => {
      const w = await openSioWs(server);
      try {
        w.send("40");
        await w.next();
        await w.next();
        assert.equal(await closesWithin(w, 1200), false, "closed");
        assert.ok(w.pings >= 3, `only ${w.pings} pings`);
        w.send('42["message","x"]');
        assert.equal(await w.next(), '42["message-back","x"]');
      } finally {
        w.close();
      }
    });

    test("raw websocket that never sends CONNECT is closed by connectTimeout (~1 s)", T, async () => {
      const w = await openSioWs(server); // answers pings: only the connect timeout applies
      const openedAt = Date.now();
      const { at } = await w.closed;
      const ms = at - openedAt;
      assert.ok(ms >= 800 && ms <= 2000, `closed after ${ms} ms, expected 800..2000 (connectTimeout 1000)`);
      assert.deepEqual(w.frames, []);
    });
  },
  SIO_TARGETS,
);

describeTargets(
  "socket.io heartbeat (--ping-interval 1000 --ping-timeout 500)",
  ["--ping-interval", "1000", "--ping-timeout", "500"],
  (server) => {
    test("the open packet carries the flags; a silent client is closed after ~1.5 s", T, async () => {
      const w = await openSioWs(server, { pong: false });
      const openedAt = Date.now();
      assert.equal(w.open.pingInterval, 1000);
      assert.equal(w.open.pingTimeout, 500);
      w.send("40");
      await w.next();
      const { at } = await w.closed;
      const ms = at - openedAt;
      assert.ok(ms >= 1350 && ms <= 3000, `closed after ${ms} ms, expected 1350..3000 (1000 + 500)`);
    });

    test("a v4 client stays connected across pings", T, async (t) => {
      const socket = await connectSio(t, server, "/", { transports: ["websocket"] });
      let pings = 0;
      socket.io.on("ping", () => pings++);
      await sleep(2300);
      assert.equal(socket.connected, true);
      assert.ok(pings >= 2, `only ${pings} pings in 2.3 s`);
      assert.deepEqual(await echoArgs(socket, [1]), [1]);
    });
  },
  SIO_TARGETS,
);
