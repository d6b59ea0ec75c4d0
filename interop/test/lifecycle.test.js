// The engineio_echo contract itself: command line, log line, signals.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { TARGETS, freePort, startServer } from "../lib/server.js";
import { skipReason } from "../lib/fixture.js";
import { connectV4 } from "../lib/clients.js";
import { handshake, poll } from "../lib/raw.js";

const T = { timeout: 15_000 };

for (const target of TARGETS) {
  describe(`engineio_echo contract [${target.name}]`, { skip: skipReason(target) }, () => {
    const running = [];
    const start = async (...a) => {
      const s = await startServer(target, ...a);
      running.push(s);
      return s;
    };
    after(() => Promise.all(running.map((s) => s.stop())));

    test("--port 0: one exact listening line with the bound port", T, async () => {
      const s = await start(["--port", "0"]);
      assert.ok(s.port > 0);
      assert.equal(s.line, `engineio_echo listening on http://127.0.0.1:${s.port}/engine.io/`);
      const { res } = await handshake(s);
      assert.equal(res.status, 200);
    });

    test("--port N listens on N", T, async () => {
      const port = await freePort();
      const s = await start(["--port", String(port)]);
      assert.equal(s.port, port);
      assert.equal((await handshake(s)).res.status, 200);
    });

    test("PORT from the environment when there is no --port", T, async () => {
      const port = await freePort();
      const s = await start([], { env: { PORT: String(port) } });
      assert.equal(s.port, port);
      assert.equal((await handshake(s)).res.status, 200);
    });

    for (const signal of ["SIGTERM", "SIGINT"]) {
      test(`${signal} with clients connected: clean exit`, T, async (t) => {
        const s = await start();
        await connectV4(t, s, { transports: ["websocket"] });
        const { sid } = await handshake(s);
        const parked = poll(s, sid).catch((e) => e); // left hanging on purpose
        const t0 = Date.now();
        const { code, signal: sig } = await s.stop(signal);
        assert.ok(Date.now() - t0 < 2900, "did not exit before the SIGKILL deadline");
        assert.equal(sig, null, `killed by ${sig}`);
        assert.equal(code, 0);
        await parked;
      });
    }
  });
}
