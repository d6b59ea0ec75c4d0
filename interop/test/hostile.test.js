// Hostile clients against the real C++ binaries: clients that stop reading, lie about lengths and
// counts, nest deeply, flood namespaces or connections, or reuse another session's id. After
// each case the server must still answer a fresh handshake, its memory must stay under the
// documented bound, and well-behaved clients must have kept their service. Node's servers fail
// several of these (unbounded write buffers), so only the C++ targets run here; README's
// "Limits and hardening" puts Node's behaviour beside each limit.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import net from "node:net";
import WebSocket from "ws";
import { io } from "socket.io-client";
import { skipReason, useServer } from "../lib/fixture.js";
import { CHAT_TARGETS, SIO_CPP_TARGETS, CPP_TARGET, OPS_TARGETS, OPTIONS_TARGETS } from "../lib/server.js";
import { request, openWs } from "../lib/raw.js";
import { openSioWs, closesWithin, stillServes } from "../lib/sio-raw.js";
import { sleep, withTimeout } from "../lib/time.js";

const T = { timeout: 60_000 };
const MiB = 1024 * 1024;
// Under AddressSanitizer freed memory waits in a 256 MiB quarantine, which RSS would count as
// growth: the servers this file starts keep a small one.
if (process.env.ASAN_OPTIONS !== undefined) process.env.ASAN_OPTIONS += ":quarantine_size_mb=4";

/** Resident memory of a process, in bytes. */
function rss(pid) {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1];
  return Number(kib) * 1024;
}

/** Socket.IO's polling requests: `query` on /socket.io/. */
const sioPath = (query) => `/socket.io/?${new URLSearchParams({ transport: "polling", ...query })}`;
const sioPoll = (server, eio, sid) => request(server, { path: sioPath({ EIO: eio, sid }) });
const sioPost = (server, eio, sid, body) =>
  request(server, { method: "POST", path: sioPath({ EIO: eio, sid }), body, headers: { "content-type": "text/plain" } });
async function sioHandshake(server, eio) {
  const r = await request(server, { path: sioPath({ EIO: eio }) });
  return JSON.parse(/0(\{.*?\})/.exec(r.text)[1]).sid;
}

/** A polling handshake still answers 200 with an open packet. */
async function answersHandshake(server, path = "/socket.io/") {
  const r = await request(server, { path: `${path}?EIO=4&transport=polling` });
  return r.status === 200 && r.text.startsWith("0{");
}

/**
 * A raw Socket.IO WebSocket that joins "/" and then never reads again: its TCP receive window
 * closes and the server's writes to it stall. It keeps the session alive by sending a pong every
 * 100 ms without reading the pings (v4 servers accept unsolicited pongs).
 */
async function stalledClient(t, server) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`, {
    perMessageDeflate: false,
  });
  ws.on("error", () => {});
  const joined = new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith("0{")) ws.send("40");
      if (text.startsWith("40")) resolve();
    });
    ws.once("close", () => reject(new Error("closed before joining")));
  });
  await withTimeout(joined, 5000, "stalled client join");
  ws._socket.pause(); // from here on nothing is read
  const pongs = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("3"), 100);
  t.after(() => {
    clearInterval(pongs);
    ws.terminate();
  });
  const closed = new Promise((resolve) => ws.once("close", resolve));
  return {
    /** Sends a frame; resolves false once the connection is gone. */
    send: (data) => new Promise((resolve) => ws.send(data, (err) => resolve(!err))),
    /** Reads again and resolves true once the server's close arrives (false after `ms`). */
    async droppedWithin(ms) {
      ws._socket.resume();
      const r = await Promise.race([closed.then(() => true), sleep(ms).then(() => false)]);
      clearInterval(pongs);
      ws.terminate();
      return r;
    },
  };
}

describe("hostile clients: slow readers in a broadcasting chat", () => {
  for (const target of CHAT_TARGETS.filter((t) => t.name !== "node")) {
    describe(`[${target.name}]`, { skip: skipReason(target) }, () => {
      const server = useServer(target, ["--max-buffered-bytes", String(MiB)]);

      test("three clients that stop reading are dropped; the chatter gets every message", T, async (t) => {
        const chatter = io(server.base, { transports: ["websocket"], forceNew: true });
        t.after(() => chatter.close());
        await withTimeout(new Promise((r) => chatter.once("connect", r)), 5000, "chatter connect");
        const stalled = [];
        for (let i = 0; i < 3; i++) stalled.push(await stalledClient(t, server));
        const before = rss(server.proc.pid);

        const message = "x".repeat(64 * 1024);
        const rounds = 300; // 19 MiB to each stalled client: past its socket buffers and the limit
        for (let i = 0; i < rounds; i++) {
          // As a person chats: the next message once the last one came back.
          const echoed = new Promise((resolve) => chatter.once("chat message", resolve));
          chatter.emit("chat message", message);
          await withTimeout(echoed, 10_000, `message ${i} back to the chatter`);
        }
        const grown = rss(server.proc.pid) - before;
        t.diagnostic(`RSS +${(grown / MiB).toFixed(1)} MiB`);

        for (const s of stalled) assert.ok(await s.droppedWithin(10_000), "a stalled client stays open");
        assert.ok(grown < 32 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
        assert.ok(await answersHandshake(server));
      });
    });
  }
});

describe("hostile clients: a client that never reads its echoes", () => {
  for (const target of SIO_CPP_TARGETS) {
    describe(`[${target.name}]`, { skip: skipReason(target) }, () => {
      const server = useServer(target);

      test("78 MB echoed at a pong-only client grow the server by less than 32 MiB", T, async (t) => {
        const neighbour = await rawSocket(t, server);
        neighbour.send("40");
        await neighbour.next();
        const stalled = await stalledClient(t, server);
        const before = rss(server.proc.pid);
        const message = `42${JSON.stringify(["message", "y".repeat(999_000)])}`;
        let peak = 0;
        let sent = 0;
        for (; sent < 78; sent++) {
          if (!(await stalled.send(message))) break; // the server has dropped it
          peak = Math.max(peak, rss(server.proc.pid) - before);
        }
        t.diagnostic(`${sent} MB sent before the drop; RSS peak +${(peak / MiB).toFixed(1)} MiB`);
        assert.ok(await stalled.droppedWithin(10_000), "the stalled client stays open");
        assert.ok(peak < 32 * MiB, `RSS grew by ${(peak / MiB).toFixed(1)} MiB`);
        neighbour.close();
        assert.ok(await stillServes(server));
      });
    });
  }
});

describe("hostile clients: another transport's session id", () => {
  describe(`[${CPP_TARGET.name}]`, { skip: skipReason(CPP_TARGET) }, () => {
    const server = useServer(CPP_TARGET);

    test("a WebSocket session's sid on plain GET and POST: 400, the session unaffected", T, async (t) => {
      const w = await openWs(server, { EIO: "4", transport: "websocket" });
      t.after(() => w.ws.terminate());
      const { sid } = JSON.parse((await w.next()).slice(1));
      w.ws.on("message", (d) => d.toString() === "2" && w.send("3")); // the 300 ms heartbeat
      for (const transport of ["websocket", "polling"]) {
        const path = `/engine.io/?EIO=4&transport=${transport}&sid=${sid}`;
        for (const method of ["GET", "POST"]) {
          const r = await request(server, { method, path, body: method === "POST" ? "4injected" : undefined });
          assert.equal(r.status, 400, `${method} ${transport}`);
          assert.deepEqual(JSON.parse(r.text), { code: 3, message: "Bad request" });
        }
      }
      w.send("4still here");
      let echo = await w.next();
      while (echo === "2") echo = await w.next();
      assert.equal(echo, "4still here");
    });
  });
});

/** `w` (a raw Socket.IO WebSocket that joined "/") sends `frames`: the server must close it. */
async function closesOn(w, frames, ms = 5000) {
  for (const f of frames) w.send(f);
  return closesWithin(w, ms);
}

/** A raw Socket.IO WebSocket, closed when the test ends however it ends. */
async function rawSocket(t, server, opts) {
  const w = await openSioWs(server, opts);
  t.after(() => w.close());
  return w;
}

/** Joins "/" on a fresh raw WebSocket. */
async function joined(t, server) {
  const w = await rawSocket(t, server);
  w.send("40");
  await w.next();
  return w;
}

const placeholder = '{"_placeholder":true,"num":0}';

describe("hostile clients: lengths and counts that lie", () => {
  for (const target of SIO_CPP_TARGETS) {
    describe(`[${target.name}]`, { skip: skipReason(target) }, () => {
      const server = useServer(target, ["--eio3"]);

      for (const [name, body] of [
        ["a length past 2^64", "99999999999999999999999:4x"],
        ["a negative length", "-1:4x"],
        ["a length past the body", "10:4x"],
      ]) {
        test(`v3 polling payload with ${name}: the session ends, the server serves`, T, async () => {
          const sid = await sioHandshake(server, "3");
          await sioPoll(server, "3", sid); // the CONNECT of "/"
          const r = await sioPost(server, "3", sid, body);
          assert.ok([200, 400].includes(r.status), `${r.status} ${r.text}`);
          const after = await sioPoll(server, "3", sid);
          assert.ok(after.status === 400 || after.text.includes(":1"), `session lives on: ${after.text}`);
          assert.ok(await stillServes(server));
        });
      }

      for (const [name, frame] of [
        ["2^64 attachments", `45999999999999999999999-["message",${placeholder}]`],
        ["11 attachments", `411-["message",${placeholder}]`],
        ["no attachment", `40-["message"]`],
        ["a negative count", `4-1-["message",${placeholder}]`],
      ]) {
        test(`a binary event announcing ${name} closes the connection`, T, async (t) => {
          const w = await joined(t, server);
          assert.ok(await closesOn(w, [frame]));
          assert.ok(await stillServes(server));
        });
      }

      test("30,000 placeholders on one 1 MB attachment: refused, memory bounded", T, async (t) => {
        const w = await joined(t, server);
        const before = rss(server.proc.pid);
        const text = `451-["message",${Array(30_000).fill(placeholder).join(",")}]`;
        assert.ok(await closesOn(w, [text, Buffer.alloc(1_000_000, 7)]));
        const grown = rss(server.proc.pid) - before;
        t.diagnostic(`RSS +${(grown / MiB).toFixed(1)} MiB`);
        assert.ok(grown < 32 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
        assert.ok(await stillServes(server));
      });

      test("100,000 nested arrays close the connection", T, async (t) => {
        const w = await joined(t, server);
        const deep = "[".repeat(100_000) + "]".repeat(100_000);
        assert.ok(await closesOn(w, [`42["message",${deep}]`]));
        assert.ok(await stillServes(server));
      });
    });
  }

  for (const target of SIO_CPP_TARGETS) {
    describe(`msgpack [${target.name}]`, { skip: skipReason(target) }, () => {
      const server = useServer(target, ["--msgpack"]);

      for (const [name, hex] of [
        ["an array of 2^32-1 items in 24 bytes", "83a474797065 02a36e7370a12fa464617461 91ddffffffff"],
        ["a map of 2^31 entries", "df80000000"],
        ["a 2 GiB string", "83a474797065 02a36e7370a12fa464617461 dbffffffff41"],
      ]) {
        test(`${name}: the connection closes, the server serves`, T, async (t) => {
          const w = await rawSocket(t, server);
          assert.ok(await closesOn(w, [Buffer.from(hex.replaceAll(" ", ""), "hex")]));
          const fresh = await openSioWs(server);
          fresh.close();
        });
      }
    });
  }
});

describe("hostile clients: namespace floods", () => {
  for (const target of OPS_TARGETS.filter((t) => t.name !== "node")) {
    describe(`[${target.name}]`, { skip: skipReason(target) }, () => {
      const server = useServer(target);

      test("a 100,000-character name for a regex namespace is an invalid namespace", T, async (t) => {
        const w = await rawSocket(t, server);
        const name = `/dyn-${"1".repeat(100_000)}`;
        w.send(`40${name},`);
        assert.equal(await w.next(), `44${name},{"message":"Invalid namespace"}`);
        w.close();
        assert.ok(await answersHandshake(server));
      });

      // Before the next test, which leaves max_dynamic_namespaces children (a child a socket
      // joined stays, as in Node), the cap used up.
      test("100,000 dynamic names the middleware refuses leave no namespace behind", T, async (t) => {
        const before = rss(server.proc.pid);
        let refused = 0;
        for (let batch = 0; batch < 1000; batch++) {
          const w = await rawSocket(t, server);
          for (let i = 0; i < 100; i++) w.send(`40/guarded-${batch * 100 + i},`);
          for (let i = 0; i < 100; i++) if ((await w.next()).includes("not authorized")) refused++;
          w.close();
        }
        const grown = rss(server.proc.pid) - before;
        t.diagnostic(`${refused} refused by the middleware; RSS +${(grown / MiB).toFixed(1)} MiB`);
        assert.equal(refused, 100_000); // never "Invalid namespace": the cap is not used up
        assert.ok(grown < 32 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
        const w = await rawSocket(t, server);
        w.send(`40/guarded-100001,{"token":"ok"}`);
        assert.match(await w.next(), /^40\/guarded-100001,\{"sid":/);
        w.close();
      });

      test("100,000 dynamic namespace names: at most max_dynamic_namespaces are made", T, async (t) => {
        const before = rss(server.proc.pid);
        let refused = 0;
        for (let batch = 0; batch < 1000; batch++) {
          const w = await rawSocket(t, server);
          for (let i = 0; i < 100; i++) w.send(`40/dyn-${batch * 100 + i},`);
          for (let i = 0; i < 100; i++) if ((await w.next()).startsWith("44")) refused++;
          w.close();
        }
        const grown = rss(server.proc.pid) - before;
        t.diagnostic(`${refused} refused; RSS +${(grown / MiB).toFixed(1)} MiB`);
        // The default max_dynamic_namespaces is 10,000 (one of them may be the /guarded- child
        // of the test before).
        assert.ok(refused >= 90_000, `${refused} refused`);
        assert.ok(grown < 128 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
        assert.ok(await answersHandshake(server));
      });
    });
  }
});

describe("hostile clients: a connection flood", () => {
  for (const target of OPTIONS_TARGETS.filter((t) => t.name !== "node")) {
    describe(`[${target.name}]`, { skip: skipReason(target) }, () => {
      const server = useServer(target, ["--max-connections", "50"]);
      const fds = () => readdirSync(`/proc/${server.proc.pid}/fd`).length;

      test("past max_connections, connections wait in the backlog; fds stay bounded", T, async (t) => {
        const base = fds();
        const held = [];
        t.after(() => held.forEach((sock) => sock.destroy()));
        for (let i = 0; i < 300; i++) {
          const sock = net.connect(server.port, "127.0.0.1");
          sock.on("error", () => {});
          held.push(sock);
        }
        await sleep(500);
        const open = fds() - base; // the 50 connections, and a few fds the shards open lazily
        assert.ok(open < 60, `${open} fds opened for 300 connections`);
        // Idle connections hold their slots; once some close, a new client is served.
        for (const sock of held.splice(0, 290)) sock.destroy();
        const r = await request(server, { path: "/engine.io/?EIO=4&transport=polling" }, 10_000);
        assert.equal(r.status, 200);
      });
    });
  }
});

describe("hostile clients: a v2 namespace query of 120,000 parameters", () => {
  const target = CHAT_TARGETS.find((t) => t.name === "cpp");
  describe(`[${target.name}]`, { skip: skipReason(target) }, () => {
    const server = useServer(target);

    test("is parsed in linear time: the server answers at once", T, async () => {
      const sid = await sioHandshake(server, "3");
      const query = Array.from({ length: 120_000 }, (_, i) => `k${i}`).join("&");
      const packet = `42/x?${query},["chat message","hi"]`;
      assert.ok(packet.length < 1e6);
      const r = await sioPost(server, "3", sid, `${packet.length}:${packet}`);
      assert.equal(r.status, 200);
      assert.ok(await answersHandshake(server));
    });
  });
});
