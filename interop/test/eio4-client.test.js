// engine.io-client 6.x (EIO=4) echo matrix: polling only, websocket only,
// and polling upgraded to websocket.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeTargets } from "../lib/fixture.js";
import { SHARDED_TARGETS } from "../lib/server.js";
import { connectV4, echo, nextMessages, upgraded, bytesOf } from "../lib/clients.js";
import { TEXT, UNICODE, ASTRAL, bytes, bigText, burstMessage, VARIANTS } from "../lib/payloads.js";

const T = { timeout: 15_000 };

for (const variant of VARIANTS) {
  describeTargets(`eio4 client, ${variant.name}`, [], (server) => {
    /** Open socket, upgraded first when the variant says so. */
    async function connect(t) {
      const socket = await connectV4(t, server, variant.opts);
      if (variant.upgrade) await upgraded(socket);
      assert.equal(socket.transport.name, variant.final);
      return socket;
    }

    test("handshake values", T, async (t) => {
      const socket = await connectV4(t, server, variant.opts);
      assert.match(socket.id, /^[\w-]{20}$/);
      // the client keeps the server's heartbeat settings
      assert.equal(socket._pingInterval, 300);
      assert.equal(socket._pingTimeout, 200);
      assert.equal(socket._maxPayload, 1_000_000);
      if (variant.upgrade) {
        await upgraded(socket);
        assert.equal(socket.transport.name, "websocket");
      }
    });

    test("text echo", T, async (t) => {
      const socket = await connect(t);
      assert.equal(await echo(socket, TEXT), TEXT);
      // an empty message is packet "4" alone: engine.io-parser decodes its data
      // as undefined, on the server and on the client alike
      assert.equal((await echo(socket, "")) ?? "", "");
    });

    test("binary echo (Buffer and Uint8Array)", T, async (t) => {
      const socket = await connect(t);
      const buf = bytes(1000);
      assert.deepEqual(bytesOf(await echo(socket, buf)), buf);
      const u8 = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
      assert.deepEqual(bytesOf(await echo(socket, u8)), Buffer.from(u8));
      const empty = Buffer.alloc(0);
      assert.deepEqual(bytesOf(await echo(socket, empty)), empty);
    });

    test("unicode text echo", T, async (t) => {
      const socket = await connect(t);
      assert.equal(await echo(socket, UNICODE), UNICODE);
      assert.equal(await echo(socket, ASTRAL), ASTRAL);
      const mixed = `${ASTRAL}\n${UNICODE}\u2028"\\`;
      assert.equal(await echo(socket, mixed), mixed);
    });

    test("message near maxPayload (900 KB text, 700 KB binary)", { timeout: 30_000 }, async (t) => {
      const socket = await connect(t);
      const text = bigText(900_000);
      const back = await echo(socket, text, 20_000);
      assert.equal(back.length, text.length);
      assert.ok(back === text, "900 KB text differs");
      // 700 KB is ~933 KB once base64-encoded for polling: still under the limit
      const bin = bytes(700_000);
      assert.ok(bytesOf(await echo(socket, bin, 20_000)).equals(bin), "700 KB binary differs");
    });

    test("200 quick sends come back in order", T, async (t) => {
      const socket = await connect(t);
      const N = 200;
      const replies = nextMessages(socket, N, 10_000);
      for (let i = 0; i < N; i++) socket.send(burstMessage(i));
      const got = await replies;
      for (let i = 0; i < N; i++) {
        const want = burstMessage(i);
        if (typeof want === "string") assert.equal(got[i], want, `message ${i}`);
        else assert.deepEqual(bytesOf(got[i]), want, `message ${i}`);
      }
    });

    if (variant.upgrade) {
      test("messages sent right after open, during the upgrade, keep their order", T, async (t) => {
        const socket = await connectV4(t, server, variant.opts);
        const N = 50;
        const replies = nextMessages(socket, N, 10_000);
        for (let i = 0; i < N; i++) socket.send(burstMessage(i));
        const got = await replies;
        for (let i = 0; i < N; i++) {
          const want = burstMessage(i);
          if (typeof want === "string") assert.equal(got[i], want, `message ${i}`);
          else assert.deepEqual(bytesOf(got[i]), want, `message ${i}`);
        }
        await upgraded(socket);
        assert.equal(await echo(socket, "after upgrade"), "after upgrade");
      });
    }
  }, SHARDED_TARGETS);
}
