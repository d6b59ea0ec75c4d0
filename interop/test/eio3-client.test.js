// engine.io-client 3.5.x (EIO=3) against the server started with --eio3:
// polling, websocket, upgrade, and polling with forceBase64.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeTargets } from "../lib/fixture.js";
import { SHARDED_TARGETS } from "../lib/server.js";
import { connectV3, echo, nextMessages, upgraded, bytesOf } from "../lib/clients.js";
import { TEXT, UNICODE, ASTRAL, bytes, bigText, burstMessage, VARIANTS } from "../lib/payloads.js";

const T = { timeout: 15_000 };

const V3_VARIANTS = [
  ...VARIANTS,
  {
    name: "polling forceBase64",
    opts: { transports: ["polling"], forceBase64: true },
    final: "polling",
  },
];

for (const variant of V3_VARIANTS) {
  describeTargets(`eio3 client, ${variant.name}`, ["--eio3"], (server) => {
    async function connect(t) {
      const socket = await connectV3(t, server, variant.opts);
      if (variant.upgrade) await upgraded(socket);
      assert.equal(socket.transport.name, variant.final);
      return socket;
    }

    test("handshake values", T, async (t) => {
      const socket = await connect(t);
      assert.match(socket.id, /^[\w-]{20}$/);
      assert.equal(socket.pingInterval, 300);
      assert.equal(socket.pingTimeout, 200);
    });

    test("text echo", T, async (t) => {
      const socket = await connect(t);
      assert.equal(await echo(socket, TEXT), TEXT);
    });

    test("binary echo", T, async (t) => {
      const socket = await connect(t);
      const buf = bytes(1000);
      assert.deepEqual(bytesOf(await echo(socket, buf)), buf);
      const u8 = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
      assert.deepEqual(bytesOf(await echo(socket, u8)), Buffer.from(u8));
    });

    // v3 polling payloads are framed as `<length>:<packet>` with the length
    // counted in UTF-16 code units: astral characters count twice.
    test("unicode text echo (astral characters)", T, async (t) => {
      const socket = await connect(t);
      assert.equal(await echo(socket, UNICODE), UNICODE);
      assert.equal(await echo(socket, ASTRAL), ASTRAL);
      const many = ASTRAL.repeat(1000);
      assert.equal(await echo(socket, many), many);
    });

    test("large messages (500 KB text, 300 KB binary)", { timeout: 30_000 }, async (t) => {
      const socket = await connect(t);
      const text = bigText(500_000);
      assert.ok((await echo(socket, text, 20_000)) === text, "500 KB text differs");
      const bin = bytes(300_000);
      assert.ok(bytesOf(await echo(socket, bin, 20_000)).equals(bin), "300 KB binary differs");
    });

    test("100 quick sends come back in order", T, async (t) => {
      const socket = await connect(t);
      const N = 100;
      const replies = nextMessages(socket, N, 10_000);
      for (let i = 0; i < N; i++) socket.send(burstMessage(i));
      const got = await replies;
      for (let i = 0; i < N; i++) {
        const want = burstMessage(i);
        if (typeof want === "string") assert.equal(got[i], want, `message ${i}`);
        else assert.deepEqual(bytesOf(got[i]), want, `message ${i}`);
      }
    });
  }, SHARDED_TARGETS);
}

describeTargets("eio3 client without --eio3", [], (server) => {
  for (const variant of VARIANTS) {
    test(`${variant.name}: connection fails with an error event`, T, async (t) => {
      await assert.rejects(connectV3(t, server, variant.opts));
    });
  }
}, SHARDED_TARGETS);
