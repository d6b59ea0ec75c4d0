// The consumer project of tests/consumer, built against an installed sio-cpp (or through
// add_subdirectory) by scripts/check-install.sh, which names each binary in SIO_CONSUMER_BINS
// (colon-separated). socket.io-client 4.x connects over polling, upgrades, and round-trips an ack.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { REPO_DIR, startServer } from "../lib/server.js";
import { once, sioV4 } from "../lib/sio.js";

const bins = (process.env.SIO_CONSUMER_BINS ?? "").split(":").filter(Boolean);
assert.ok(bins.length > 0, "SIO_CONSUMER_BINS names no consumer binary (run scripts/check-install.sh)");

// The project's version, as CMake's project() declares it.
const cmakeLists = readFileSync(path.join(REPO_DIR, "CMakeLists.txt"), "utf8");
const version = /project\(sio_cpp VERSION ([0-9.]+)/.exec(cmakeLists)[1];

for (const bin of bins) {
  test(`installed library: ${bin}`, async (t) => {
    const server = await startServer({ name: "consumer", program: "consumer", cmd: [bin], binary: bin });
    t.after(() => server.stop());
    assert.match(server.line, new RegExp(`consumer of sio-cpp ${version.replaceAll(".", "\\.")} `));

    const socket = sioV4(t, server, "/", { transports: ["polling", "websocket"] });
    const [reported] = await once(socket, "version"); // sent on connection
    assert.equal(reported, version);
    if (socket.io.engine.transport.name !== "websocket") await once(socket.io.engine, "upgrade");
    const sent = { n: 1, text: "two", list: [3], bytes: Buffer.from([4]) };
    assert.deepEqual(await socket.timeout(5000).emitWithAck("echo", sent), sent);
    assert.equal(socket.io.engine.transport.name, "websocket");

    socket.disconnect();
    const { code, signal } = await server.stop();
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
  });
}
