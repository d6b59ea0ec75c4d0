// Heartbeat: pingInterval 300 ms, pingTimeout 200 ms.
// v4: the server pings, a client that never pongs is dropped after ~500 ms.
// v3: the client pings, the server drops a silent client after
// pingInterval + pingTimeout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeTargets } from "../lib/fixture.js";
import { SHARDED_TARGETS } from "../lib/server.js";
import { connectV4, connectV3, echo, sleep } from "../lib/clients.js";
import { handshake, poll, openWs } from "../lib/raw.js";

const T = { timeout: 15_000 };
const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const DEADLINE = PING_INTERVAL + PING_TIMEOUT;
// generous windows: only "not much too early" and "not much too late"
const EARLIEST = DEADLINE - 150;
const LATEST = DEADLINE + 1500;
const UNKNOWN_SID = { code: 1, message: "Session ID unknown" };

function assertWithin(ms, what) {
  assert.ok(ms >= EARLIEST && ms <= LATEST, `${what} after ${ms} ms, expected ${EARLIEST}..${LATEST}`);
}

describeTargets("heartbeat, eio4", [], (server) => {
  for (const transport of ["polling", "websocket"]) {
    test(`v4 client over ${transport} stays open while idle (pings answered)`, T, async (t) => {
      const socket = await connectV4(t, server, { transports: [transport] });
      let pings = 0;
      let closedWith = null;
      socket.on("ping", () => pings++);
      socket.on("close", (reason) => (closedWith = reason));
      await sleep(1600);
      assert.equal(closedWith, null, `closed: ${closedWith}`);
      assert.ok(pings >= 3, `only ${pings} pings in 1.6 s`);
      assert.equal(await echo(socket, "still here"), "still here");
    });
  }

  test("raw websocket that never pongs is closed", T, async () => {
    const w = await openWs(server, { EIO: "4", transport: "websocket" });
    const openedAt = Date.now();
    assert.match(await w.next(), /^0\{/);
    assert.equal(await w.next(), "2", "expected a ping");
    const { at } = await w.closed;
    assertWithin(at - openedAt, "websocket closed");
    assert.deepEqual(w.messages.slice(2), [], "no packet after the ping");
  });

  test("raw polling client that never pongs loses its session", T, async () => {
    const { sid } = await handshake(server);
    const start = Date.now();
    // first poll returns the ping; the next one is parked until the session
    // ends, then answers a close packet
    const ping = await poll(server, sid);
    assert.equal(ping.text, "2");
    const last = await poll(server, sid);
    assert.equal(last.status, 200);
    assert.equal(last.text, "1");
    assertWithin(Date.now() - start, "session closed");
    const after = await poll(server, sid);
    assert.equal(after.status, 400);
    assert.deepEqual(after.json, UNKNOWN_SID);
  });

  test("raw polling client that does not poll at all loses its session", T, async () => {
    const { sid } = await handshake(server);
    await sleep(DEADLINE + 700);
    const res = await poll(server, sid);
    assert.equal(res.status, 400);
    assert.equal(res.contentType, "application/json");
    assert.deepEqual(res.json, UNKNOWN_SID);
  });
}, SHARDED_TARGETS);

describeTargets("heartbeat, eio3", ["--eio3"], (server) => {
  test("v3 client stays open while idle (it pings, server pongs)", T, async (t) => {
    const socket = await connectV3(t, server, { transports: ["websocket"] });
    let pongs = 0;
    let closedWith = null;
    socket.on("pong", () => pongs++);
    socket.on("close", (reason) => (closedWith = reason));
    await sleep(1600);
    assert.equal(closedWith, null, `closed: ${closedWith}`);
    assert.ok(pongs >= 3, `only ${pongs} pongs in 1.6 s`);
    assert.equal(await echo(socket, "still here"), "still here");
  });

  test("raw v3 websocket: server never pings, closes a silent client", T, async () => {
    const w = await openWs(server, { EIO: "3", transport: "websocket" });
    const openedAt = Date.now();
    assert.match(await w.next(), /^0\{/);
    const { at } = await w.closed;
    assertWithin(at - openedAt, "websocket closed");
    assert.deepEqual(w.messages.slice(1), [], "v3 server must not send pings");
  });

  test("raw v3 websocket: server answers ping with pong", T, async () => {
    const w = await openWs(server, { EIO: "3", transport: "websocket" });
    assert.match(await w.next(), /^0\{/);
    w.send("2");
    assert.equal(await w.next(), "3");
    w.ws.close();
  });

  test("raw v3 polling: parked poll gets the close packet, then sid is unknown", T, async () => {
    const { sid } = await handshake(server, { eio: "3" });
    const start = Date.now();
    const last = await poll(server, sid, { eio: "3" });
    assert.equal(last.status, 200);
    assert.equal(last.text, "1:1");
    assertWithin(Date.now() - start, "session closed");
    const after = await poll(server, sid, { eio: "3" });
    assert.equal(after.status, 400);
    assert.deepEqual(after.json, UNKNOWN_SID);
  });
}, SHARDED_TARGETS);
