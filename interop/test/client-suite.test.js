// socket.io-client 4.8 against client_suite_server, the server of
// socket.io-client's own test suite (test/support/server.ts), with the
// scenarios of that suite (test/connection.ts, socket.ts, retry.ts,
// connection-state-recovery.ts) that the server supports: every handler
// (events, acks both ways, dates, utf8, binary both ways and in order,
// the handshake object), namespaces and their middlewares, ack timeouts
// and retries, connection state recovery, the 10 ms allowRequest delay,
// reconnection, and a server restart on the same port. Over the default
// transports (polling upgraded to websocket), websocket only and polling only.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { describeTargets, skipReason } from "../lib/fixture.js";
import { CLIENT_SUITE_TARGETS, startServer } from "../lib/server.js";
import { once, nextEvents, engineUpgraded, disconnected, plain } from "../lib/sio.js";
import { request } from "../lib/raw.js";
import { sleep, withTimeout } from "../lib/time.js";
import {
  SUITE_VARIANTS,
  RECONNECT,
  suiteSocket,
  connectSuite,
  connectedOrError,
  reconnected,
  connectError,
  suiteManager,
  splitOffset,
  roundTrip,
  fence,
  countDuring,
  assertRecentIsoDate,
  assertHandshake,
  timedPollingHandshake,
  timedWsHandshake,
  rawHandshake,
  later,
} from "../lib/suite.js";

const T = { timeout: 15_000 };
const ASDF = Buffer.from("asdfasdf", "utf8");
const UTF8 = ["てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"];
/** Bytes as an ArrayBuffer (the original suite decodes base64 strings into one). */
const arrayBuffer = (bytes) => new Uint8Array(bytes).buffer;

describeTargets(
  "client suite",
  [],
  (server) => {
    for (const v of SUITE_VARIANTS) {
      const connect = (t, nsp = "/", opts = {}) => connectSuite(t, server, nsp, { ...v.opts, ...opts });
      const checkTransport = (socket) => {
        if (v.final) assert.equal(socket.io.engine.transport.name, v.final, "transport");
      };

      describe(`handlers of / [${v.name}]`, () => {
        test("hi -> hi, with the offset as its only argument", T, async (t) => {
          const socket = await connect(t);
          const [args, offset] = splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          assert.deepEqual(args, []);
          assert.equal(socket._lastOffset, offset, "the client keeps the offset");
          checkTransport(socket);
        });

        test("echo acks its argument (JSON and binary)", T, async (t) => {
          const socket = await connect(t);
          for (const x of [42, "str", "", 0, true, false, null, { a: [1, null, { b: "é" }] }, [1, "two"]]) {
            assert.deepEqual(await socket.emitWithAck("echo", x), x);
          }
          // binary in the ack (BINARY_ACK), top level and nested
          assert.deepEqual(plain(await socket.emitWithAck("echo", ASDF)), plain(ASDF));
          const nested = { bin: Buffer.from([0, 1, 255]), list: [Buffer.from([7]), "x"] };
          assert.deepEqual(plain(await socket.emitWithAck("echo", nested)), plain(nested));
          // acks carry no offset
          const all = await new Promise((resolve) => socket.emit("echo", "only", (...a) => resolve(a)));
          assert.deepEqual(all, ["only"]);
          checkTransport(socket);
        });

        test("emitWithAck, and timeout().emitWithAck, on echo", T, async (t) => {
          const socket = await connect(t);
          assert.equal(await socket.emitWithAck("echo", 123), 123);
          assert.equal(await socket.timeout(2000).emitWithAck("echo", 42), 42);
          assert.deepEqual(await socket.timeout(2000).emitWithAck("echo", { k: ["v"] }), { k: ["v"] });
        });

        test("events emitted before the connection are sent in order (autoConnect: false)", T, async (t) => {
          const socket = suiteSocket(t, server, "/", { ...v.opts, autoConnect: false });
          const order = [];
          const done = new Promise((resolve) => {
            socket.emit("echo", "first", (x) => order.push(x));
            socket.once("connect", () => {
              socket.emit("echo", "second", (x) => {
                order.push(x);
                resolve();
              });
            });
          });
          socket.connect();
          await withTimeout(done, 5000, "both acks");
          assert.deepEqual(order, ["first", "second"]);
        });

        test("ack: the server asks for an ack; (5, {test: true}) gives `got it`", T, async (t) => {
          const socket = await connect(t);
          const asked = await roundTrip(socket, "ack", [], "ack");
          assert.equal(asked.length, 1, "only the ack callback: an event with an ack has no offset");
          assert.equal(typeof asked[0], "function");
          const gotIt = later(once(socket, "got it"));
          asked[0](5, { test: true });
          const [rest] = splitOffset(await gotIt, "got it");
          assert.deepEqual(rest, []);
        });

        test("ack: other answers give no `got it`", T, async (t) => {
          const socket = await connect(t);
          for (const answer of [[5, { test: false }], [4, { test: true }], [5, {}]]) {
            const asked = await roundTrip(socket, "ack", [], "ack");
            let got = 0;
            socket.on("got it", () => got++);
            asked[0](...answer);
            await fence(socket);
            socket.off("got it");
            assert.equal(got, 0, `no "got it" after ack(${JSON.stringify(answer)})`);
          }
        });

        test("ack: `test` is checked for JavaScript truthiness, `a` must be the number 5", T, async (t) => {
          const socket = await connect(t);
          const gotItFor = async (answer) => {
            const asked = await roundTrip(socket, "ack", [], "ack");
            let got = 0;
            socket.on("got it", () => got++);
            asked[0](...answer);
            await fence(socket);
            socket.off("got it");
            return got;
          };
          const results = {};
          const answers = {
            'test: "yes"': [5, { test: "yes" }],
            "test: 1": [5, { test: 1 }],
            "test: 2.5": [5, { test: 2.5 }],
            "test: {}": [5, { test: {} }],
            "test: []": [5, { test: [] }],
            "test: binary": [5, { test: Buffer.from([0]) }],
            "a: 5.0 (JSON 5.0)": [5.0, { test: true }],
            'test: ""': [5, { test: "" }],
            "test: 0": [5, { test: 0 }],
            "test: null": [5, { test: null }],
            'a: "5"': ["5", { test: true }],
            "a: 5.5": [5.5, { test: true }],
          };
          for (const [name, answer] of Object.entries(answers)) results[name] = await gotItFor(answer);
          assert.deepEqual(results, {
            'test: "yes"': 1,
            "test: 1": 1,
            "test: 2.5": 1,
            "test: {}": 1,
            "test: []": 1,
            "test: binary": 1,
            "a: 5.0 (JSON 5.0)": 1,
            'test: ""': 0,
            "test: 0": 0,
            "test: null": 0,
            'a: "5"': 0,
            "a: 5.5": 0,
          });
        });

        test("getAckDate acks a date string", T, async (t) => {
          const socket = await connect(t);
          const all = await new Promise((resolve) => socket.emit("getAckDate", { test: true }, (...a) => resolve(a)));
          assert.equal(all.length, 1);
          assertRecentIsoDate(all[0], "getAckDate");
        });

        test("getDate -> takeDate (string), getDateObj -> takeDateObj ({date})", T, async (t) => {
          const socket = await connect(t);
          const [date] = splitOffset(await roundTrip(socket, "getDate", [], "takeDate"), "takeDate");
          assert.equal(date.length, 1);
          assertRecentIsoDate(date[0], "takeDate");
          const [obj] = splitOffset(await roundTrip(socket, "getDateObj", [], "takeDateObj"), "takeDateObj");
          assert.equal(obj.length, 1);
          assert.deepEqual(Object.keys(obj[0]), ["date"]);
          assertRecentIsoDate(obj[0].date, "takeDateObj.date");
        });

        test("getUtf8 -> the 5 utf8 strings in order, each with its own offset", T, async (t) => {
          const socket = await connect(t);
          const got = later(nextEvents(socket, "takeUtf8", 5));
          socket.emit("getUtf8");
          const events = (await got).map((a) => splitOffset(a, "takeUtf8"));
          assert.deepEqual(
            events.map(([args]) => args),
            UTF8.map((s) => [s]),
          );
          const offsets = events.map(([, o]) => o);
          assert.equal(new Set(offsets).size, 5, `distinct offsets: ${offsets}`);
          assert.equal(socket._lastOffset, offsets[4], "the client keeps the last offset");
          checkTransport(socket);
        });

        test("false -> false", T, async (t) => {
          const socket = await connect(t);
          const [args] = splitOffset(await roundTrip(socket, "false", [], "false"), "false");
          assert.deepEqual(args, [false]);
        });

        test("doge and getbin -> the 8 bytes `asdfasdf` as binary", T, async (t) => {
          const socket = await connect(t);
          const [doge] = splitOffset(await roundTrip(socket, "doge", [], "doge"), "doge");
          assert.equal(doge.length, 1);
          assert.ok(Buffer.isBuffer(doge[0]), "a Buffer (binaryType nodebuffer)");
          assert.deepEqual(plain(doge[0]), plain(ASDF));
          const [bin] = splitOffset(await roundTrip(socket, "getbin", [], "takebin"), "takebin");
          assert.deepEqual(plain(bin), plain([ASDF]));
        });

        test("doge as an ArrayBuffer (binaryType arraybuffer)", T, async (t) => {
          const socket = await connect(t);
          socket.io.engine.binaryType = "arraybuffer";
          const [doge] = splitOffset(await roundTrip(socket, "doge", [], "doge"), "doge");
          assert.ok(doge[0] instanceof ArrayBuffer, "an ArrayBuffer");
          assert.deepEqual(plain(doge[0]), plain(ASDF));
        });

        test("buffa / blob: binary gets buffack / back (Buffer, ArrayBuffer, Uint8Array)", T, async (t) => {
          const socket = await connect(t);
          for (const bin of [ASDF, arrayBuffer([0x86, 0x8c, 0x9d]), Uint8Array.of(1, 2, 3), Buffer.alloc(0)]) {
            splitOffset(await roundTrip(socket, "buffa", [bin], "buffack"), "buffack");
            splitOffset(await roundTrip(socket, "blob", [bin], "back"), "back");
          }
        });

        test("buffa / blob: no answer for non-binary arguments", T, async (t) => {
          const socket = await connect(t);
          const notBinary = [["asdfasdf"], [{ data: [1, 2] }], [42], []];
          assert.equal(await countDuring(socket, "buffack", notBinary.map((a) => ["buffa", ...a])), 0);
          assert.equal(await countDuring(socket, "back", notBinary.map((a) => ["blob", ...a])), 0);
        });

        test("jsonbuff / jsonblob: {hello, message: binary, goodbye} is acknowledged", T, async (t) => {
          const socket = await connect(t);
          for (const message of [arrayBuffer([0x86, 0x8c, 0x9d, 0x7c]), Buffer.from("EEEEEEEEE")]) {
            const obj = { hello: "lol", message, goodbye: "gotcha" };
            splitOffset(await roundTrip(socket, "jsonbuff", [obj], "jsonbuff-ack"), "jsonbuff-ack");
            splitOffset(await roundTrip(socket, "jsonblob", [obj], "jsonblob-ack"), "jsonblob-ack");
          }
        });

        test("jsonbuff / jsonblob: extra keys are ignored", T, async (t) => {
          const socket = await connect(t);
          const obj = { hello: "lol", message: ASDF, goodbye: "gotcha", extra: [1, Buffer.from([2])] };
          splitOffset(await roundTrip(socket, "jsonbuff", [obj], "jsonbuff-ack"), "jsonbuff-ack");
          splitOffset(await roundTrip(socket, "jsonblob", [obj], "jsonblob-ack"), "jsonblob-ack");
        });

        test("jsonbuff / jsonblob: other objects get no answer", T, async (t) => {
          const socket = await connect(t);
          const bad = [
            { hello: "lol", message: "not binary", goodbye: "gotcha" },
            { hello: "LOL", message: ASDF, goodbye: "gotcha" },
            { hello: "lol", message: ASDF },
            { hello: "lol", message: ASDF, goodbye: "bye" },
            { hello: "lol", message: [ASDF], goodbye: "gotcha" },
            { hello: "lol", message: { inner: ASDF }, goodbye: "gotcha" },
          ];
          assert.equal(await countDuring(socket, "jsonbuff-ack", bad.map((b) => ["jsonbuff", b])), 0);
          assert.equal(await countDuring(socket, "jsonblob-ack", bad.map((b) => ["jsonblob", b])), 0);
        });

        test("abuff1 (binary) then abuff2 -> abuff2-ack", T, async (t) => {
          const socket = await connect(t);
          const ack = later(once(socket, "abuff2-ack"));
          socket.emit("abuff1", arrayBuffer([0x69, 0xb7, 0xe9, 0xd7]));
          socket.emit("abuff2", "please arrive second");
          splitOffset(await ack, "abuff2-ack");
        });

        test("abuff2 without a binary abuff1 first: no abuff2-ack", T, async (t) => {
          const socket = await connect(t);
          assert.equal(await countDuring(socket, "abuff2-ack", [["abuff2", "alone"]]), 0);
          assert.equal(await countDuring(socket, "abuff2-ack", [["abuff1", "not binary"], ["abuff2", "x"]]), 0);
          // each socket has its own sequence
          const other = await connect(t);
          other.emit("abuff1", ASDF);
          await fence(other);
          assert.equal(await countDuring(socket, "abuff2-ack", [["abuff2", "x"]]), 0);
          assert.equal(await countDuring(other, "abuff2-ack", [["abuff2", "x"]]), 1);
          // the last abuff1 counts
          assert.equal(await countDuring(socket, "abuff2-ack", [["abuff1", ASDF], ["abuff1", "text"], ["abuff2", "x"]]), 0);
          assert.equal(await countDuring(socket, "abuff2-ack", [["abuff1", "text"], ["abuff1", ASDF], ["abuff2", "x"], ["abuff2", "y"]]), 2);
        });

        test("blob1 (binary), blob2 ('second'), blob3 (binary) -> blob3-ack", T, async (t) => {
          const socket = await connect(t);
          const ack = later(once(socket, "blob3-ack"));
          const blob = Buffer.from("BLOBBLOB");
          socket.emit("blob1", blob);
          socket.emit("blob2", "second");
          socket.emit("blob3", blob);
          splitOffset(await ack, "blob3-ack");
        });

        test("blob3 out of sequence: no blob3-ack", T, async (t) => {
          const blob = Buffer.from("BLOBBLOB");
          const cases = [
            [["blob3", blob]],
            [["blob1", blob], ["blob3", blob]],
            [["blob1", blob], ["blob2", "other"], ["blob3", blob]],
            [["blob2", "second"], ["blob1", blob], ["blob3", blob]],
            [["blob1", "text"], ["blob2", "second"], ["blob3", blob]],
            [["blob1", blob], ["blob2", "second"], ["blob3", "text"]],
          ];
          for (const sends of cases) {
            const socket = await connect(t);
            const n = await countDuring(socket, "blob3-ack", sends);
            assert.equal(n, 0, `no blob3-ack for ${JSON.stringify(plain(sends))}`);
            socket.disconnect();
          }
        });

        test("getHandshake acks Node's handshake object", T, async (t) => {
          const auth = { token: "abc", n: 1, nested: { ok: true } };
          const socket = await connect(t, "/", { auth });
          const h = await socket.timeout(3000).emitWithAck("getHandshake");
          assertHandshake(h, { port: server.port, transport: v.first, auth });
          // without auth: {}
          const bare = await connect(t);
          assertHandshake(await bare.timeout(3000).emitWithAck("getHandshake"), {
            port: server.port,
            transport: v.first,
            auth: {},
          });
        });

        test("getHandshake: query (object and string), auth as a function, Origin gives xdomain", T, async (t) => {
          const a = await connect(t, "/", { query: { e: "f" } });
          assertHandshake(await a.emitWithAck("getHandshake"), { port: server.port, transport: v.first, query: { e: "f" } });
          const b = await connect(t, "/?c=d");
          assertHandshake(await b.emitWithAck("getHandshake"), { port: server.port, transport: v.first, query: { c: "d" } });
          const c = await connect(t, "/", { auth: (cb) => cb({ e: "f" }) });
          const hc = await c.emitWithAck("getHandshake");
          assertHandshake(hc, { port: server.port, transport: v.first, auth: { e: "f" } });
          assert.equal(hc.query.e, undefined, "auth is not in the query");
          const d = await connect(t, "/", { extraHeaders: { origin: "http://example.com" } });
          const hd = await d.emitWithAck("getHandshake");
          assertHandshake(hd, { port: server.port, transport: v.first, xdomain: true });
          assert.equal(hd.headers.origin, "http://example.com");
        });

        test("getId acks socket.id (not the engine id)", T, async (t) => {
          const socket = await connect(t);
          const id = await socket.emitWithAck("getId");
          assert.ok(socket.id);
          assert.equal(id, socket.id);
          assert.notEqual(socket.id, socket.io.engine.id);
        });

        test("maxPayload 1e6: 900 KB passes, 1.1 MB closes the connection", { timeout: 30_000 }, async (t) => {
          const socket = await connect(t);
          const big = "x".repeat(900_000);
          assert.equal((await socket.timeout(10_000).emitWithAck("echo", big)).length, big.length);
          const gone = later(disconnected(socket, 10_000));
          socket.emit("echo", "y".repeat(1_100_000));
          const [reason] = await gone;
          assert.ok(["transport close", "transport error"].includes(reason), `disconnect reason: ${reason}`);
        });

        test("volatile emit while connected is delivered", T, async (t) => {
          const socket = await connect(t);
          if (v.name === "default") await engineUpgraded(socket); // let the upgrade settle
          const id = await new Promise((resolve, reject) => {
            const timer = setInterval(() => socket.volatile.emit("getId", (x) => resolve(x)), 200);
            const stop = setTimeout(() => reject(new Error("no ack to a volatile getId")), 5000);
            t.after(() => {
              clearInterval(timer);
              clearTimeout(stop);
            });
          });
          assert.equal(id, socket.id);
        });
      });

      describe(`namespaces [${v.name}]`, () => {
        test("/foo: getId acks the socket id on /foo", T, async (t) => {
          const socket = await connect(t, "/foo");
          const id = await socket.timeout(3000).emitWithAck("getId");
          assert.ok(socket.id);
          assert.equal(id, socket.id);
          assert.notEqual(socket.id, socket.io.engine.id);
        });

        test("/valid, /asd, /timeout_socket connect", T, async (t) => {
          for (const nsp of ["/valid", "/asd", "/timeout_socket"]) {
            const socket = await connect(t, nsp);
            assert.equal(socket.connected, true, nsp);
            assert.match(socket.id, /^[\w-]+$/, `${nsp} id`);
          }
        });

        test("/abc emits `handshake` on connection (query object, auth)", T, async (t) => {
          const socket = suiteSocket(t, server, "/abc", { ...v.opts, query: { a: "b" }, auth: { a: "b", c: "d" } });
          const [args] = splitOffset(await once(socket, "handshake"), "handshake");
          assert.equal(args.length, 1);
          assertHandshake(args[0], { port: server.port, transport: v.first, query: { a: "b" }, auth: { a: "b", c: "d" } });
        });

        test("/abc: query string, encoded parameters, auth function", T, async (t) => {
          const a = suiteSocket(t, server, "/abc?b=c&d=e", v.opts);
          const [[ha]] = splitOffset(await once(a, "handshake"));
          assert.equal(ha.query.b, "c");
          assert.equal(ha.query.d, "e");
          const b = suiteSocket(t, server, "/abc", { ...v.opts, query: { "&a": "&=?a" } });
          const [[hb]] = splitOffset(await once(b, "handshake"));
          assert.equal(hb.query["&a"], "&=?a");
          const c = suiteSocket(t, server, "/abc", { ...v.opts, auth: (cb) => cb({ e: "f" }) });
          const [[hc]] = splitOffset(await once(c, "handshake"));
          assert.deepEqual(hc.auth, { e: "f" });
          assert.equal(hc.query.e, undefined);
        });

        test("/no: connect_error `Auth failed (custom namespace)`, no retry", T, async (t) => {
          const socket = suiteSocket(t, server, "/no", { ...v.opts, ...RECONNECT });
          let count = 0;
          const first = new Promise((resolve) => {
            socket.on("connect_error", (err) => {
              count++;
              socket.io.engine.close(); // would force a reconnection
              resolve(err);
            });
          });
          const err = await withTimeout(first, 5000, "connect_error");
          assert.ok(err instanceof Error, "connect_error");
          assert.equal(err.message, "Auth failed (custom namespace)");
          assert.equal(err.data, undefined, "no data: the CONNECT_ERROR payload is {message}");
          assert.equal(socket.active, false);
          await sleep(300);
          assert.equal(count, 1, "one connect_error only");
          assert.equal(socket.connected, false);
        });

        test("?fail=1 on /: connect_error `Auth failed (main namespace)`", T, async (t) => {
          const e1 = await connectError(suiteSocket(t, server, "/?fail=1", v.opts));
          assert.equal(e1.message, "Auth failed (main namespace)");
          assert.equal(e1.data, undefined, "no data: the CONNECT_ERROR payload is {message}");
          const e2 = await connectError(suiteSocket(t, server, "/", { ...v.opts, query: { fail: "yes" } }));
          assert.equal(e2.message, "Auth failed (main namespace)");
          // an empty `fail` passes; the main middleware is not that of /foo
          const ok = await connect(t, "/", { query: { fail: "" } });
          assert.equal(ok.connected, true);
          const foo = await connect(t, "/foo?fail=1");
          assert.equal(foo.connected, true, "/foo has no middleware");
        });

        test("unknown namespaces: connect_error `Invalid namespace`", T, async (t) => {
          for (const nsp of ["/nope", "/timeout", "/abc/def", "/FOO"]) {
            const err = await connectError(suiteSocket(t, server, nsp, v.opts));
            assert.equal(err.message, "Invalid namespace", nsp);
            assert.equal(err.data, undefined, `${nsp}: no data`);
          }
        });

        test("several namespaces over one Manager", T, async (t) => {
          const manager = suiteManager(t, server, v.opts);
          const names = ["/", "/foo", "/abc", "/asd", "/valid", "/timeout_socket"];
          const sockets = {};
          const handshake = later(once(manager.socket("/abc"), "handshake"));
          await Promise.all(
            names.map(async (nsp) => {
              sockets[nsp] = await connectedOrError(manager.socket(nsp));
            }),
          );
          const ids = names.map((n) => sockets[n].id);
          assert.equal(new Set(ids).size, names.length, "distinct socket ids");
          assert.equal(new Set(names.map((n) => sockets[n].io.engine)).size, 1, "one engine");
          assert.equal(await sockets["/"].emitWithAck("getId"), sockets["/"].id);
          assert.equal(await sockets["/foo"].emitWithAck("getId"), sockets["/foo"].id);
          splitOffset(await handshake, "handshake");
          // refusals on the same connection leave the others working
          assert.equal((await connectError(manager.socket("/no"))).message, "Auth failed (custom namespace)");
          assert.equal((await connectError(manager.socket("/nope"))).message, "Invalid namespace");
          assert.equal(await sockets["/"].emitWithAck("echo", "still"), "still");
          assert.equal(await sockets["/foo"].emitWithAck("getId"), sockets["/foo"].id);
          // one namespace disconnects, the others stay
          sockets["/foo"].disconnect();
          assert.equal(await sockets["/"].emitWithAck("echo", "after"), "after");
          assert.equal(sockets["/asd"].connected, true);
        });

        test("a namespace joined after the connection is established, and after it closed", T, async (t) => {
          const manager = suiteManager(t, server, v.opts);
          const main = await connectedOrError(manager.socket("/"));
          const foo = await connectedOrError(manager.socket("/foo"));
          assert.equal(await foo.emitWithAck("getId"), foo.id);
          foo.disconnect();
          const gone = later(once(manager, "close"));
          main.disconnect();
          await gone; // the last socket closed the connection
          const foo2 = await connectedOrError(manager.socket("/foo"));
          assert.equal(await foo2.emitWithAck("getId"), foo2.id);
        });

        test("disconnecting one socket does not close the connection", T, async (t) => {
          const manager = suiteManager(t, server, { ...v.opts, autoConnect: false });
          const s1 = manager.socket("/foo");
          const s2 = manager.socket("/asd");
          s1.connect();
          await connectedOrError(s1);
          s2.connect();
          await connectedOrError(s2);
          let s2Disconnects = 0;
          s2.on("disconnect", () => s2Disconnects++);
          s1.disconnect();
          await sleep(200);
          assert.equal(s2Disconnects, 0);
          assert.equal(s2.connected, true);
          const closed = later(once(manager, "close"));
          s2.disconnect();
          await closed;
        });
      });

      describe(`acks and timeouts [${v.name}]`, () => {
        test("timeout().emitWithAck on an event the server never acks rejects", T, async (t) => {
          const socket = await connect(t);
          const hi = later(once(socket, "hi")); // "hi" is handled, only not acked
          await assert.rejects(socket.timeout(300).emitWithAck("hi"), (e) => e instanceof Error && /timed out/.test(e.message));
          splitOffset(await hi, "hi");
          await assert.rejects(socket.timeout(300).emitWithAck("unknown"), Error);
          await assert.rejects(socket.timeout(300).emitWithAck("getDate"), Error);
          assert.equal(await socket.timeout(2000).emitWithAck("echo", "alive"), "alive");
        });

        test("timeout(): a callback gets (null, value) or a timeout error", T, async (t) => {
          const socket = await connect(t);
          const ok = await new Promise((resolve) => socket.timeout(2000).emit("echo", 42, (...a) => resolve(a)));
          assert.deepEqual(ok, [null, 42]);
          const late = await new Promise((resolve) => socket.timeout(200).emit("hi", (...a) => resolve(a)));
          assert.equal(late.length, 1);
          assert.ok(late[0] instanceof Error);
        });

        test("ackTimeout option: unanswered acks get an error", T, async (t) => {
          const socket = await connect(t, "/", { ackTimeout: 300 });
          const got = await new Promise((resolve) => socket.emit("unknown", (...a) => resolve(a)));
          assert.ok(got[0] instanceof Error);
          const ok = await new Promise((resolve) => socket.emit("echo", 7, (...a) => resolve(a)));
          assert.deepEqual(ok, [null, 7]);
        });

        test("retries: packets keep their order", T, async (t) => {
          const socket = await connect(t, "/", { retries: 1, ackTimeout: 2000 });
          const created = [];
          socket.io.engine.on("packetCreate", ({ data }) => created.push(data));
          const results = await Promise.all(
            [1, 2, 3].map((n) => new Promise((resolve) => socket.emit("echo", n, (err, val) => resolve([err, val])))),
          );
          assert.deepEqual(results, [
            [null, 1],
            [null, 2],
            [null, 3],
          ]);
          assert.deepEqual(
            created.filter((d) => typeof d === "string" && d.startsWith("2")),
            ['20["echo",1]', '21["echo",2]', '22["echo",3]'],
          );
        });

        test("retries: an event the server never acks is sent 1 + retries times", T, async (t) => {
          const socket = await connect(t, "/", { retries: 3, ackTimeout: 100 });
          let asked = 0;
          socket.on("ack", () => asked++); // the server's own "ack" request, once per attempt
          const got = await new Promise((resolve) => socket.emit("ack", (...a) => resolve(a)));
          assert.ok(got[0] instanceof Error, "fails after the retries");
          await fence(socket);
          assert.equal(asked, 4, "the server saw 4 attempts");
        });

        test("acks pending at disconnection fail; unsent ones are sent on reconnection", T, async (t) => {
          const socket = await connect(t);
          const pending = socket.timeout(10_000).emitWithAck("echo", "a");
          socket.disconnect();
          await assert.rejects(pending, Error);
          const buffered = socket.timeout(5000).emitWithAck("echo", "b");
          socket.connect();
          assert.equal(await buffered, "b");
        });
      });

      describe(`connection [${v.name}]`, () => {
        test("connects, hi -> hi", T, async (t) => {
          const socket = await connect(t);
          assert.equal(socket.connected, true);
          splitOffset(await roundTrip(socket, "hi", [], "hi"));
          checkTransport(socket);
        });

        test("clears socket.id upon disconnection", T, async (t) => {
          const socket = await connect(t);
          assert.ok(socket.id);
          const gone = later(disconnected(socket));
          socket.disconnect();
          assert.deepEqual((await gone).slice(0, 1), ["io client disconnect"]);
          assert.equal(socket.id, undefined);
        });

        test("disconnect().connect(): one disconnect, connected again", T, async (t) => {
          const socket = await connect(t);
          let count = 0;
          socket.on("disconnect", () => count++);
          const back = connectedOrError(socket);
          socket.disconnect().connect();
          await back;
          await sleep(100);
          assert.equal(count, 1);
          assert.equal(socket.connected, true);
          assert.equal(await socket.emitWithAck("getId"), socket.id);
        });

        test("reconnects by default after the transport closes, no connect_error", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          let errors = 0;
          socket.on("connect_error", () => errors++);
          const reconnect = later(once(socket.io, "reconnect", 10_000));
          const back = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await reconnect;
          await back;
          assert.equal(socket.connected, true);
          assert.equal(errors, 0);
          assert.equal(await socket.emitWithAck("getId"), socket.id);
        });

        test("reconnects manually, then automatically", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          const gone = later(disconnected(socket));
          socket.disconnect();
          await gone;
          const back = connectedOrError(socket);
          socket.connect();
          await back;
          const reconnect = later(once(socket.io, "reconnect", 10_000));
          await sleep(100);
          socket.io.engine.close();
          await reconnect;
          assert.equal(await socket.timeout(5000).emitWithAck("getId"), socket.id);
        });

        test("stops reconnecting a socket that disconnects, keeps reconnecting another", T, async (t) => {
          const manager = suiteManager(t, server, { ...v.opts, ...RECONNECT });
          const s1 = await connectedOrError(manager.socket("/"));
          const s2 = await connectedOrError(manager.socket("/asd"));
          let s1Connects = 0;
          const s2Back = new Promise((resolve) => {
            manager.once("reconnect_attempt", () => {
              s1.on("connect", () => s1Connects++);
              s2.once("connect", resolve);
              s1.disconnect();
            });
          });
          manager.engine.close();
          await withTimeout(s2Back, 10_000, "/asd reconnected");
          await sleep(50);
          assert.equal(s1Connects, 0);
          assert.equal(s1.connected, false);
          assert.equal(s2.connected, true);
        });

        test("a cached socket is reopened", T, async (t) => {
          const manager = suiteManager(t, server, v.opts);
          const socket = await connectedOrError(manager.socket("/"));
          const gone = later(disconnected(socket));
          socket.disconnect();
          await gone;
          const again = manager.socket("/");
          assert.equal(again, socket);
          assert.equal(again.active, true);
          await connectedOrError(again);
          assert.equal(await again.emitWithAck("getId"), again.id);
        });
      });

      describe(`connection state recovery [${v.name}]`, () => {
        test("the transport drops: same id, recovered, after an event set the offset", T, async (t) => {
          const socket = await connect(t, "/", { ...RECONNECT, auth: { token: "x" } });
          assert.equal(socket.recovered, false);
          const [, offset] = splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          const id = socket.id;
          const back = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await back;
          assert.equal(socket.id, id, "same socket id");
          assert.equal(socket.recovered, true, "recovered");
          assert.equal(await socket.emitWithAck("getId"), id, "the server side agrees");
          const [, offset2] = splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          assert.notEqual(offset2, offset, "a new offset");
          assert.equal(await countDuring(socket, "hi", [["hi"]]), 1, "the handlers are not registered twice");
          // the handshake of the recovered socket: the new CONNECT's auth (pid and offset added by the client)
          const h = await socket.emitWithAck("getHandshake");
          assert.deepEqual(Object.keys(h.auth).sort(), ["offset", "pid", "token"]);
          assert.equal(h.auth.token, "x");
          assert.equal(h.auth.offset, offset);
          assert.equal(typeof h.auth.pid, "string");
        });

        test("no offset received yet: a new session on reconnection", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          const id = socket.id;
          const back = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await back;
          assert.equal(socket.recovered, false, "not recovered");
          assert.notEqual(socket.id, id, "a new socket id");
          assert.equal(await socket.emitWithAck("getId"), socket.id);
        });

        test("an explicit disconnect is not recovered: new id", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          const id = socket.id;
          const gone = later(disconnected(socket));
          socket.disconnect();
          await gone;
          const back = connectedOrError(socket);
          socket.connect();
          await back;
          assert.equal(socket.recovered, false, "not recovered");
          assert.notEqual(socket.id, id, "a new socket id");
          assert.equal(await socket.emitWithAck("getId"), socket.id);
          // the session after that is recoverable again
          splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          const id2 = socket.id;
          const again = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await again;
          assert.equal(socket.recovered, true);
          assert.equal(socket.id, id2);
        });

        test("skipMiddlewares: a recovered socket skips the middleware of /", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          const id = socket.id;
          socket.io.opts.query = { fail: "1" }; // the next connections would be refused
          const back = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await back;
          assert.equal(socket.recovered, true, "recovered without the middleware");
          assert.equal(socket.id, id);
          assert.equal(await socket.emitWithAck("echo", 1), 1);
        });

        test("skipMiddlewares: an explicit disconnect starts a new session, which the middleware sees", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          socket.io.opts.query = { fail: "1" };
          const gone = later(disconnected(socket));
          socket.disconnect();
          await gone;
          const err = await connectError(socket.connect());
          assert.equal(err.message, "Auth failed (main namespace)");
        });

        // socket.io-adapter keeps a session after restoring it (until it
        // expires), so the client's pid and offset recover it again after an
        // explicit disconnect of the recovered socket.
        test("after a recovery, an explicit disconnect then connect recovers the kept session", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          const id = socket.id;
          const back = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await back;
          assert.equal(socket.recovered, true);
          const gone = later(disconnected(socket));
          socket.disconnect();
          await gone;
          const again = connectedOrError(socket);
          socket.connect();
          await again;
          assert.deepEqual({ recovered: socket.recovered, sameId: socket.id === id }, { recovered: true, sameId: true });
          assert.equal(await socket.emitWithAck("getId"), socket.id);
        });

        test("the handshake of a recovered socket is that of the new connection", T, async (t) => {
          const socket = await connect(t, "/", { ...RECONNECT, query: { n: "1" } });
          splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          const before = await socket.emitWithAck("getHandshake");
          socket.io.opts.query = { n: "2" };
          const back = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await back;
          assert.equal(socket.recovered, true);
          const h = await socket.emitWithAck("getHandshake");
          assert.equal(before.query.n, "1");
          assert.equal(h.query.n, "2", "query of the new connection");
          assert.ok(h.issued >= before.issued, "issued again");
        });

        if (v.name !== "polling") {
          // Over a WebSocket, engine.close() right after an emit sends the
          // event and closes before anything can come back: what the server
          // emits in answer is missed by the client and replayed on recovery.
          test("events missed while disconnected are delivered after the recovery", T, async (t) => {
            const socket = await connect(t, "/", RECONNECT);
            if (v.name === "default") await engineUpgraded(socket);
            assert.equal(socket.io.engine.transport.name, "websocket");
            const [, offset] = splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
            const id = socket.id;
            const utf8 = later(nextEvents(socket, "takeUtf8", 5, 10_000));
            let falses = 0;
            socket.on("false", () => falses++);
            const back = connectedOrError(socket, 10_000);
            let asks = 0;
            socket.on("ack", () => asks++);
            socket.emit("getUtf8");
            socket.emit("ack"); // answered with an event asking for an ack: not stored, lost
            socket.emit("false");
            socket.io.engine.close();
            await back;
            assert.equal(socket.recovered, true);
            assert.equal(socket.id, id);
            const events = (await utf8).map((a) => splitOffset(a, "takeUtf8"));
            assert.deepEqual(
              events.map(([args]) => args),
              UTF8.map((s) => [s]),
            );
            const offsets = events.map(([, o]) => o);
            assert.equal(new Set([offset, ...offsets]).size, 6, "new, distinct offsets");
            await fence(socket);
            assert.equal(falses, 1, "the missed `false` once");
            assert.equal(asks, 0, "the server's `ack` (with an ack id) is not replayed");
            // the client is now up to date: a second drop replays nothing
            let replayed = 0;
            socket.on("takeUtf8", () => replayed++);
            const again = connectedOrError(socket, 10_000);
            socket.io.engine.close();
            await again;
            assert.equal(socket.recovered, true);
            await fence(socket);
            assert.equal(replayed, 0, "nothing replayed twice");
            assert.equal(falses, 1);
          });
        }

        test("the client's offset picks the replayed events: all those emitted after it", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          const [, first] = splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          const utf8 = later(nextEvents(socket, "takeUtf8", 5));
          socket.emit("getUtf8");
          const seen = (await utf8).map((a) => splitOffset(a, "takeUtf8")[1]);
          const [, last] = splitOffset(await roundTrip(socket, "false", [], "false"), "false");
          const id = socket.id;
          // rewind: the client says it has seen up to the first `hi` only
          socket._lastOffset = first;
          const replayed = [];
          socket.onAny((event, ...args) => replayed.push([event, ...args]));
          const back = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await back;
          assert.equal(socket.recovered, true);
          assert.equal(socket.id, id);
          await fence(socket);
          assert.deepEqual(replayed, [
            ...UTF8.map((text, i) => ["takeUtf8", text, seen[i]]),
            ["false", false, last],
          ], "the events after the offset, in order, with their offsets");
          assert.equal(socket._lastOffset, last);
        });

        test("an unknown offset or pid is not recovered: new session", T, async (t) => {
          for (const spoil of [(s) => (s._lastOffset = "no-such-offset"), (s) => (s._pid = "no-such-pid")]) {
            const socket = await connect(t, "/", RECONNECT);
            splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
            const id = socket.id;
            spoil(socket);
            const back = connectedOrError(socket, 10_000);
            socket.io.engine.close();
            await back;
            assert.equal(socket.recovered, false, `${spoil}: not recovered`);
            assert.notEqual(socket.id, id, `${spoil}: a new socket id`);
            assert.equal(await socket.emitWithAck("getId"), socket.id);
            socket.disconnect();
          }
        });

        test("events with an ack are not stored: not replayed", T, async (t) => {
          const socket = await connect(t, "/", RECONNECT);
          const [, first] = splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          const asked = await roundTrip(socket, "ack", [], "ack"); // the server's "ack" has an ack id
          assert.equal(asked.length, 1);
          const [, last] = splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
          socket._lastOffset = first;
          const replayed = [];
          socket.onAny((event, ...args) => replayed.push([event, ...args]));
          const back = connectedOrError(socket, 10_000);
          socket.io.engine.close();
          await back;
          assert.equal(socket.recovered, true);
          await fence(socket);
          assert.deepEqual(replayed, [["hi", last]], "only the second hi");
        });

        test("every namespace of a Manager recovers (/ and /abc), /foo without offset does not", T, async (t) => {
          const manager = suiteManager(t, server, { ...v.opts, ...RECONNECT });
          const main = await connectedOrError(manager.socket("/"));
          const abc = manager.socket("/abc");
          const firstHandshake = later(once(abc, "handshake"));
          await connectedOrError(abc);
          const foo = await connectedOrError(manager.socket("/foo"));
          splitOffset(await firstHandshake, "handshake");
          splitOffset(await roundTrip(main, "hi", [], "hi"), "hi");
          const ids = { main: main.id, abc: abc.id, foo: foo.id };
          const all = Promise.all([main, abc, foo].map((s) => connectedOrError(s, 10_000)));
          const handshakeAgain = later(once(abc, "handshake", 10_000));
          manager.engine.close();
          await all;
          assert.deepEqual(
            { main: [main.recovered, main.id], abc: [abc.recovered, abc.id] },
            { main: [true, ids.main], abc: [true, ids.abc] },
          );
          assert.equal(foo.recovered, false, "/foo: no offset, not recovered");
          assert.notEqual(foo.id, ids.foo);
          assert.equal(await foo.emitWithAck("getId"), foo.id);
          // the connection handler of /abc runs again for the recovered socket
          splitOffset(await handshakeAgain, "handshake");
        });
      });

      describe(`allowRequest delay [${v.name}]`, () => {
        test("an immediate open timeout (timeout: 0) gives connect_error `timeout`", T, async (t) => {
          const err = await connectError(suiteSocket(t, server, "/", { ...v.opts, timeout: 0 }));
          assert.equal(err.message, "timeout");
        });

        test("timeout 0 with 2 reconnection attempts: reconnect_failed after attempts 1 and 2", T, async (t) => {
          const manager = suiteManager(t, server, {
            ...v.opts,
            reconnection: true,
            timeout: 0,
            reconnectionAttempts: 2,
            reconnectionDelay: 10,
          });
          const attempts = [];
          manager.on("reconnect_attempt", (n) => attempts.push(n));
          const failed = later(once(manager, "reconnect_failed", 10_000));
          manager.socket("/timeout_socket");
          await failed;
          assert.deepEqual(attempts, [1, 2]);
        });
      });
    }

    describe("allowRequest delay (raw)", () => {
      test("a polling handshake takes at least 10 ms (>= 8 measured); requests with the sid work", T, async () => {
        for (let i = 0; i < 3; i++) {
          const { ms, sid, res } = await timedPollingHandshake(server);
          assert.ok(ms >= 8, `handshake took ${ms.toFixed(2)} ms`);
          const o = JSON.parse(res.text.slice(1));
          assert.deepEqual(
            { pingInterval: o.pingInterval, pingTimeout: o.pingTimeout, maxPayload: o.maxPayload, upgrades: o.upgrades },
            { pingInterval: 2000, pingTimeout: 20000, maxPayload: 1e6, upgrades: ["websocket"] },
          );
          const path = `/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
          const posted = await request(server, { method: "POST", path, body: "40" });
          assert.equal(posted.status, 200);
          assert.equal(posted.text, "ok");
          const polled = await request(server, { path });
          assert.equal(polled.status, 200);
          assert.match(polled.text, /^40\{"sid":"[\w-]+","pid":"[^"]+"\}$/, "CONNECT answer with sid and pid");
        }
      });

      test("a WebSocket handshake takes at least 10 ms (>= 8 measured)", T, async () => {
        for (let i = 0; i < 3; i++) {
          const { ms, open, w } = await timedWsHandshake(server);
          try {
            assert.ok(ms >= 8, `handshake took ${ms.toFixed(2)} ms`);
            assert.match(open, /^0\{/);
            const o = JSON.parse(open.slice(1));
            assert.deepEqual(
              { pingInterval: o.pingInterval, pingTimeout: o.pingTimeout, maxPayload: o.maxPayload, upgrades: o.upgrades },
              { pingInterval: 2000, pingTimeout: 20000, maxPayload: 1e6, upgrades: [] },
            );
          } finally {
            w.ws.terminate();
          }
        }
      });
    });

    describe("handshake query (raw)", () => {
      test("handshake query: the request's query string as URLSearchParams reads it", T, async () => {
        const cases = {
          "a=1&a=2": { a: "2" },
          "p=x+y&sp=%20&amp=%26&%26k=v": { p: "x y", sp: " ", amp: "&", "&k": "v" },
          "e=&k": { e: "", k: "" },
          "u=%C3%A9%E2%82%AC&raw=é": { u: "é€", raw: "é" },
          "bad=%ZZ": { bad: "%ZZ" },
          "pct=100%": { pct: "100%" },
          "half=%C3&half2=%C3x": { half: "\ufffd", half2: "\ufffdx" },
          "eq=a=b": { eq: "a=b" },
        };
        const got = {};
        const want = {};
        for (const [raw, expected] of Object.entries(cases)) {
          want[raw] = { EIO: "4", transport: "websocket", ...expected };
          try {
            const { path, handshake } = await rawHandshake(server, raw);
            assert.equal(handshake.url, path, `url of ${raw}`);
            got[raw] = { ...handshake.query };
          } catch (e) {
            got[raw] = e.message;
          }
        }
        assert.deepEqual(got, want);
      });
    });
  },
  CLIENT_SUITE_TARGETS,
);

for (const target of CLIENT_SUITE_TARGETS) {
  describe(`client suite: server restart [${target.name}]`, { skip: skipReason(target) }, () => {
    const running = [];
    let finished = false;
    /** Starts a server that after() stops (at once if after() already ran: a test failed early). */
    const start = async (args) => {
      const s = await startServer(target, args);
      running.push(s);
      if (finished) await s.stop();
      return s;
    };
    after(() => {
      finished = true;
      return Promise.all(running.map((s) => s.stop()));
    });

    for (const v of SUITE_VARIANTS) {
      test(`${v.name}: reconnects after a restart on the same port, as a new session`, { timeout: 30_000 }, async (t) => {
        const first = await start();
        const socket = await connectSuite(t, first, "/", { ...v.opts, ...RECONNECT, reconnectionDelay: 100, reconnectionDelayMax: 200 });
        splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi"); // an offset: recovery would be tried
        const firstId = socket.id;
        const gone = later(disconnected(socket, 5000));
        await first.stop();
        await gone;
        const back = reconnected(socket, 15_000); // connect_error while the server is down
        const second = await start(["--port", String(first.port)]);
        assert.equal(second.port, first.port);
        await back;
        assert.equal(socket.recovered, false, "the new server has no session to recover");
        assert.notEqual(socket.id, firstId);
        assert.equal(await socket.timeout(5000).emitWithAck("getId"), socket.id);
        splitOffset(await roundTrip(socket, "hi", [], "hi"), "hi");
        socket.disconnect();
        await second.stop();
      });
    }
  });
}
