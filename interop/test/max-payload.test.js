// maxPayload (maxHttpBufferSize) = 1e6 bytes. Node's engine.io:
// - WebSocket: ws' maxPayload, a bigger frame closes the connection with 1009;
// - polling: a POST body over the limit gets HTTP 413.
// A payload of exactly the limit goes through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeTargets } from "../lib/fixture.js";
import { SHARDED_TARGETS } from "../lib/server.js";
import { connectV4, closed, upgraded } from "../lib/clients.js";
import { handshake, post, openWs } from "../lib/raw.js";
import { VARIANTS, bigText } from "../lib/payloads.js";

const T = { timeout: 20_000 };
const LIMIT = 1_000_000;

describeTargets("max payload", [], (server) => {
  for (const variant of VARIANTS) {
    test(`v4 client, ${variant.name}: a message over the limit closes the client`, T, async (t) => {
      const socket = await connectV4(t, server, variant.opts);
      if (variant.upgrade) await upgraded(socket);
      socket.on("error", () => {}); // polling reports the 413 as an error too
      const isClosed = closed(socket, 10_000);
      socket.send(bigText(LIMIT + 1));
      const [reason, desc] = await isClosed;
      if (variant.final === "polling") {
        assert.equal(reason, "transport error");
        assert.equal(desc?.description, 413, "POST status");
      } else {
        assert.equal(reason, "transport close");
        assert.equal(desc?.context?.code, 1009, "WebSocket close code");
      }
    });
  }

  test("raw websocket: frame of exactly the limit is echoed, one byte more closes with 1009", T, async () => {
    const w = await openWs(server, { EIO: "4", transport: "websocket" });
    await w.next(); // open packet
    const atLimit = `4${bigText(LIMIT - 1)}`;
    w.send(atLimit);
    assert.ok((await w.next(10_000)) === atLimit, "echo of a 1e6-byte frame differs");
    w.send(`4${bigText(LIMIT)}`);
    const { code } = await w.closed;
    assert.equal(code, 1009);
  });

  test("raw polling: body of exactly the limit is accepted, one byte more gets 413", T, async () => {
    const { sid } = await handshake(server);
    const ok = await post(server, sid, `4${bigText(LIMIT - 1)}`);
    assert.equal(ok.status, 200);
    assert.equal(ok.text, "ok");
    const tooBig = await post(server, sid, `4${bigText(LIMIT)}`);
    assert.equal(tooBig.status, 413);
    // multi-byte characters count in bytes: 500001 x "é" = 1000002 bytes
    const { sid: sid2 } = await handshake(server);
    const utf8 = await post(server, sid2, `4${"é".repeat(LIMIT / 2)}`);
    assert.equal(utf8.status, 413);
  });
}, SHARDED_TARGETS);
