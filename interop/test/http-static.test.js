// The HTTP side of the chat demo, compared with its Node twin (express 5 +
// socket.io 4.8): the page from a static folder, the client bundle at
// /socket.io/ (Node's serveClient: headers, ETag, 304, content codings), and
// hostile requests that must stay harmless. Then ws_chat: a raw WebSocket
// chat beside Socket.IO on one port, against its `ws` twin.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import zlib from "node:zlib";
import { readFileSync } from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { io } from "socket.io-client";
import { compareCases } from "../lib/compare.js";
import {
  CHAT_NODE_TARGET as CHAT_NODE,
  CHAT_TARGETS,
  WS_CHAT_TARGETS,
  INTEROP_DIR,
  startServer,
  unavailable,
} from "../lib/server.js";

const [CHAT_CPP, CHAT_CPP2] = CHAT_TARGETS;
const DIST = path.join(INTEROP_DIR, "node_modules/socket.io-client/dist");
const PAGE = readFileSync(path.join(INTEROP_DIR, "../examples/chat/public/index.html"));

/** One request on a fresh connection: status, the headers named in `keep`, and the body bytes. */
function get(s, target, { method = "GET", headers = {}, keep = [] } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: s.port, path: target, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const picked = Object.fromEntries(keep.map((h) => [h, res.headers[h] ?? null]));
        resolve({ status: res.statusCode, headers: picked, body: Buffer.concat(chunks), raw: res.headers });
      });
    });
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
    req.end();
  });
}

/** A request written byte for byte (paths a client library would normalise); the status line's code. */
function rawStatus(s, text) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(s.port, "127.0.0.1", () => sock.write(text));
    let data = "";
    sock.on("data", (d) => {
      data += d;
      const m = /^HTTP\/1\.1 (\d+)/.exec(data);
      if (m) {
        sock.destroy();
        resolve(Number(m[1]));
      }
    });
    sock.on("error", reject);
    sock.on("close", () => resolve(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? "closed"));
    sock.setTimeout(5000, () => sock.destroy());
  });
}

const decode = { gzip: zlib.gunzipSync, deflate: zlib.inflateSync, br: zlib.brotliDecompressSync };

/** A bundle file as the client sees it: headers, coding, and whether the decoded bytes are the npm file's. */
const bundle = (file, headers = {}, method = "GET") => async (s) => {
  const r = await get(s, `/socket.io/${file}`, {
    method,
    headers,
    keep: ["content-type", "cache-control", "etag", "content-encoding"],
  });
  const coding = r.headers["content-encoding"];
  const body = coding ? decode[coding](r.body) : r.body;
  return {
    status: r.status,
    headers: r.headers,
    body: method === "HEAD" || r.status === 304 ? body.length : body.equals(readFileSync(path.join(DIST, file))),
  };
};

const FILES = [
  "socket.io.js",
  "socket.io.js.map",
  "socket.io.min.js",
  "socket.io.min.js.map",
  "socket.io.esm.min.js",
  "socket.io.esm.min.js.map",
  "socket.io.msgpack.min.js",
  "socket.io.msgpack.min.js.map",
];

const page = (headers = {}, target = "/") => async (s) => {
  const r = await get(s, target, { headers, keep: ["content-type", "cache-control"] });
  return {
    status: r.status,
    headers: r.headers,
    page: r.status === 200 ? r.body.equals(PAGE) : r.body.length,
    etagShape: /^W\/"[0-9a-f]+-[0-9a-f]+"$/.test(r.raw.etag ?? ""),
    lastModified: r.raw["last-modified"] !== undefined,
  };
};

/** The page again with the validators of a first answer: 304 expected. */
const revalidate = (which) => async (s) => {
  const first = await get(s, "/");
  const headers = which === "etag" ? { "if-none-match": first.raw.etag } : { "if-modified-since": first.raw["last-modified"] };
  const again = await get(s, "/", { headers });
  return { status: again.status, body: again.body.length };
};

const status = (target, opts) => async (s) => (await get(s, target, opts)).status;

compareCases(
  "chat over HTTP: page, client bundle, hostile requests (cpp vs express + socket.io)",
  [
    { name: "GET / is the chat page", run: page() },
    { name: "GET /index.html is the same page", run: page({}, "/index.html") },
    { name: "HEAD / has the headers and no body", run: async (s) => {
      const r = await get(s, "/", { method: "HEAD", keep: ["content-type", "content-length"] });
      return { status: r.status, headers: r.headers, body: r.body.length };
    } },
    { name: "If-None-Match with the page's ETag gives 304", run: revalidate("etag") },
    { name: "If-Modified-Since with the page's Last-Modified gives 304", run: revalidate("date") },
    ...FILES.map((f) => ({ name: `/socket.io/${f} is the npm bundle`, run: bundle(f) })),
    { name: "a browser's Accept-Encoding gets gzip", run: bundle("socket.io.js", { "accept-encoding": "gzip, deflate, br, zstd" }) },
    { name: "curl's order (deflate first) gets deflate", run: bundle("socket.io.min.js", { "accept-encoding": "deflate, gzip, br, zstd" }) },
    { name: "br alone gets br", run: bundle("socket.io.min.js", { "accept-encoding": "br" }) },
    { name: "* gets br (Node's first choice)", run: bundle("socket.io.min.js", { "accept-encoding": "*" }) },
    { name: "q-values rank codings", run: bundle("socket.io.js.map", { "accept-encoding": "gzip;q=0.5, br;q=0.2, deflate;q=0.9" }) },
    { name: "gzip;q=0 refuses gzip", run: bundle("socket.io.min.js", { "accept-encoding": "gzip;q=0, deflate" }) },
    { name: "identity only: no coding", run: bundle("socket.io.min.js", { "accept-encoding": "identity" }) },
    { name: "the bundle's ETag gives 304", run: bundle("socket.io.js", { "if-none-match": '"4.8.4"' }) },
    { name: "the weak form of the ETag gives 304", run: bundle("socket.io.min.js", { "if-none-match": 'W/"4.8.4"' }) },
    { name: "another ETag gives the file", run: bundle("socket.io.min.js", { "if-none-match": '"4.8.3"' }) },
    { name: "HEAD on the bundle", run: bundle("socket.io.min.js", {}, "HEAD") },
    { name: "the bundle with a query string", run: async (s) => (await get(s, "/socket.io/socket.io.min.js?v=1")).body.equals(readFileSync(path.join(DIST, "socket.io.min.js"))) },
    { name: "an unknown file under /socket.io/ is Engine.IO's", run: async (s) => {
      const r = await get(s, "/socket.io/socket.io.slim.js");
      return { status: r.status, body: r.body.toString() };
    } },
    { name: "a missing file is 404", run: status("/nope.html") },
    { name: "a dotfile is 404", run: status("/.env") },
    { name: "POST / is 404", run: status("/", { method: "POST" }) },
    { name: "raw /../etc/passwd is refused", run: (s) => rawStatus(s, "GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n") },
    { name: "raw /../../../../etc/passwd is refused", run: (s) => rawStatus(s, "GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n") },
    { name: "encoded dots %2e%2e are refused", run: status("/%2e%2e/%2e%2e/etc/passwd") },
    { name: "encoded slash ..%2f is refused", run: status("/..%2f..%2fetc%2fpasswd") },
    { name: "a NUL byte is refused", run: status("/index.html%00.txt") },
    { name: "a bad escape is refused", run: status("/%zz") },
    { name: "a 20 KB header gets 431", run: (s) => rawStatus(s, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`) },
  ],
  { node: CHAT_NODE, cpps: [CHAT_CPP, CHAT_CPP2] },
);

// ws_chat: two raw WebSocket clients chat; the frames must be the `ws` twin's.
describe("ws_chat: a raw WebSocket chat beside Socket.IO", () => {
  const servers = [];
  after(async () => Promise.all(servers.map((s) => s.stop())));

  /** Opens a client that records every text frame. */
  const client = (s) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`);
      ws.frames = [];
      ws.on("message", (d, binary) => ws.frames.push(binary ? `<binary ${d.length}>` : d.toString()));
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
  const until = async (cond, ms = 3000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  /** The conversation both sides see, and whether Socket.IO still answers on the same port. */
  async function conversation(s) {
    const [a, b] = [await client(s), await client(s)];
    a.send("nick alice");
    await until(() => b.frames.length === 1);
    b.send("nick bob");
    await until(() => a.frames.length === 2);
    a.send("PRIVMSG héllo 👋");
    await until(() => b.frames.length === 3);
    b.send(Buffer.from([1, 2, 3])); // binary: ignored
    b.send("WHO"); // unknown: ignored
    b.send("PRIVMSG hi alice");
    await until(() => a.frames.length === 4 && b.frames.length === 4);
    a.close();
    await new Promise((r) => a.once("close", r));
    b.send("PRIVMSG anyone?");
    await until(() => b.frames.length === 5);
    b.close();

    const sio = io(`http://127.0.0.1:${s.port}`, { transports: ["websocket"], reconnection: false });
    const sioConnected = await new Promise((resolve) => {
      sio.once("connect", () => resolve(true));
      sio.once("connect_error", () => resolve(false));
      setTimeout(() => resolve(false), 3000);
    });
    sio.close();
    return { a: a.frames, b: b.frames, sioConnected };
  }

  for (const target of WS_CHAT_TARGETS) {
    test(`${target.name}: nick and PRIVMSG reach every client`, { skip: unavailable(target) ?? false, timeout: 15_000 }, async () => {
      const s = await startServer(target);
      servers.push(s);
      const got = await conversation(s);
      assert.deepEqual(got, {
        a: [
          '{"type":"nick","message":"alice"}',
          '{"type":"nick","message":"bob"}',
          '{"type":"message","message":"alice: héllo 👋"}',
          '{"type":"message","message":"bob: hi alice"}',
        ],
        b: [
          '{"type":"nick","message":"alice"}',
          '{"type":"nick","message":"bob"}',
          '{"type":"message","message":"alice: héllo 👋"}',
          '{"type":"message","message":"bob: hi alice"}',
          '{"type":"message","message":"bob: anyone?"}',
        ],
        sioConnected: true,
      });
    });
  }
});
