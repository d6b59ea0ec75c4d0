// examples/embedded: the chat inside an application's own Beast service through io.attach, one
// port for the service's routes and Socket.IO, against its Node twin (express + io.attach). A
// connection moves between the service and Socket.IO request by request, keep-alive and
// pipelined, as it does in Node where both listen on one http.Server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { io } from "socket.io-client";
import { request } from "../lib/raw.js";
import { EMBEDDED_TARGETS, startServer, unavailable } from "../lib/server.js";
import { once } from "../lib/sio.js";
import { withTimeout } from "../lib/time.js";

/** A keep-alive connection on which requests are written as raw text and answers read in order. */
function connection(server) {
  const sock = net.connect(server.port, "127.0.0.1");
  let data = Buffer.alloc(0);
  let wake = () => {};
  sock.on("data", (d) => {
    data = Buffer.concat([data, d]);
    wake();
  });
  sock.on("close", () => wake());
  /** The next response: {status, headers (lower-case names), body (string)}. */
  async function next() {
    for (;;) {
      const end = data.indexOf("\r\n\r\n");
      if (end >= 0) {
        const head = data.subarray(0, end).toString();
        const headers = Object.fromEntries(
          head.split("\r\n").slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
        );
        // Node's http server refuses a malformed request with neither body nor length.
        const length = Number(headers["content-length"] ?? 0);
        if (data.length >= end + 4 + length) {
          const body = data.subarray(end + 4, end + 4 + length).toString();
          data = data.subarray(end + 4 + length);
          return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)[1]), headers, body };
        }
      }
      if (sock.destroyed) throw new Error(`connection closed with ${data.length} bytes unread`);
      await new Promise((resolve) => (wake = resolve));
    }
  }
  return {
    write: (...requests) => sock.write(requests.join("")),
    next: () => withTimeout(next(), 5000, "a response"),
    close: () => sock.destroy(),
  };
}

const get = (target) => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
const post = (target, body) =>
  `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const HANDSHAKE = "/socket.io/?EIO=4&transport=polling";

for (const target of EMBEDDED_TARGETS) {
  describe(`embedded [${target.name}]`, { skip: unavailable(target) ?? false }, () => {
    const withServer = (fn) => async (t) => {
      const server = await startServer(target);
      t.after(() => server.stop());
      await fn(t, server);
    };

    test("the service's own routes and Socket.IO's client bundle share the port", withServer(async (t, server) => {
      const status = await request(server, { path: "/api/status" });
      assert.equal(status.status, 200);
      assert.deepEqual(status.json, { service: "embedded", clients: 0 });
      const page = await request(server, { path: "/" });
      assert.equal(page.status, 200);
      assert.match(page.text, /<script src="\/socket\.io\/socket\.io\.js"><\/script>/);
      const bundle = await request(server, { path: "/socket.io/socket.io.js" });
      assert.equal(bundle.status, 200);
      assert.equal(bundle.contentType, "application/javascript");
      assert.equal((await request(server, { path: "/nowhere" })).status, 404);
    }));

    test("polling, websocket-only and upgrading clients chat", withServer(async (t, server) => {
      const variants = [{ transports: ["polling"] }, { transports: ["websocket"] }, {}];
      const sockets = variants.map((opts) => io(server.base, { forceNew: true, reconnection: false, ...opts }));
      t.after(() => sockets.forEach((s) => s.disconnect()));
      await Promise.all(sockets.map((s) => once(s, "connect")));
      const received = sockets.map((s) => once(s, "chat message"));
      sockets[0].emit("chat message", "hello from polling");
      for (const [msg] of await Promise.all(received)) assert.equal(msg, "hello from polling");
      const status = await request(server, { path: "/api/status" });
      assert.equal(status.json.clients, 3);
    }));

    test("one keep-alive connection goes to Socket.IO and back, request by request", withServer(async (t, server) => {
      const c = connection(server);
      t.after(() => c.close());
      c.write(get(HANDSHAKE));
      const open = await c.next();
      assert.equal(open.status, 200);
      const { sid } = JSON.parse(open.body.slice(1));
      c.write(get("/api/status"));
      assert.deepEqual(JSON.parse((await c.next()).body), { service: "embedded", clients: 1 });
      c.write(post(`${HANDSHAKE}&sid=${sid}`, "40"));
      assert.deepEqual([(await c.next()).body], ["ok"]);
      c.write(get("/api/status"));
      const again = await c.next();
      assert.equal(again.status, 200);
      assert.deepEqual(JSON.parse(again.body), { service: "embedded", clients: 1 });
    }));

    // 1,020,000 bytes: over the server's maxHttpBufferSize (1e6), under Beast's default limit for
    // the service's own parser (1 MiB). The server never parses the service's requests.
    test("the service's own requests are held to the service's limits, not the server's", withServer(async (t, server) => {
      const c = connection(server);
      t.after(() => c.close());
      c.write(get(HANDSHAKE));
      assert.equal((await c.next()).status, 200);
      c.write(post("/api/upload", "x".repeat(1_020_000)));
      assert.equal((await c.next()).status, 404); // the service's answer: it has no such route
    }));

    test("pipelined requests cross the hand-over both ways", withServer(async (t, server) => {
      const c = connection(server);
      t.after(() => c.close());
      c.write(get("/api/status"), get(HANDSHAKE), get("/api/status"), get("/nowhere"));
      // (Node may count the new client after answering the next request: counts are not compared.)
      assert.equal(JSON.parse((await c.next()).body).service, "embedded");
      assert.match((await c.next()).body, /^0\{"sid":/);
      assert.equal(JSON.parse((await c.next()).body).service, "embedded");
      assert.equal((await c.next()).status, 404);
    }));

    test("a malformed request after a hand-over goes to the service, and the service goes on", withServer(async (t, server) => {
      const c = connection(server);
      t.after(() => c.close());
      c.write(get(HANDSHAKE));
      assert.equal((await c.next()).status, 200);
      c.write("GARBAGE\r\n\r\n");
      // The service's parser refuses it: Node's http server answers 400, the Beast example closes.
      const refusal = await c.next().then((r) => r.status, (e) => e.message);
      assert.ok(refusal === 400 || /^connection closed/.test(refusal), String(refusal));
      assert.deepEqual((await request(server, { path: "/api/status" })).json, { service: "embedded", clients: 1 });
    }));
  });
}
