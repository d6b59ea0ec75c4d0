// socket.io-client 4.8 against socketio_echo, over polling only, websocket
// only and polling upgraded to websocket, on the namespaces "/" and
// "/custom": the auth event, event echoes (JSON, binary, large), acks both ways,
// ordering, socket ids, several namespaces over one connection, a refused
// namespace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeTargets } from "../lib/fixture.js";
import { SIO_TARGETS } from "../lib/server.js";
import {
  SIO_VARIANTS,
  connectSio,
  sioManager,
  connectOn,
  sioV4,
  once,
  nextEvents,
  engineUpgraded,
  echoArgs,
  ackArgs,
  emitWithAckRoundTrip,
  plain,
} from "../lib/sio.js";
import { UNICODE, bytes, bigText } from "../lib/payloads.js";

const T = { timeout: 15_000 };
const AUTH = { token: "abc" };

/** JSON-only arguments: strings, numbers, booleans, null, nesting, unicode. */
const MIXED = [
  "hello",
  1.5,
  42,
  true,
  false,
  null,
  "",
  { a: { b: [1, "x", { c: null, d: false }] }, e: "é" },
  [1, [2, [3, []]], {}],
  UNICODE,
  "emoji 😀👍🏽 and CJK 你好",
  'quote " backslash \\ slash / newline \n tab \t nul \u0000 del \u007f',
];

/** More numbers, all exactly representable as doubles. */
const NUMBERS = [0, -7, 0.1, -0.5, 2 ** 53 - 1, -(2 ** 53 - 1), 1e21, 1.25e-7, 123456.789];

/** Binary args: top level, nested in objects and arrays, several per event. */
const BINARY = [
  Buffer.from([1, 2, 3]),
  "text between",
  { file: bytes(1000), meta: { name: "a.bin", parts: [Buffer.from([0xff, 0x00]), 7] } },
  [Buffer.from("utf8 text as bytes ✓"), { deep: { deeper: bytes(256) } }],
  bytes(70_000),
];

describeTargets(
  "socket.io-client 4.x",
  [],
  (server) => {
    for (const v of SIO_VARIANTS) {
      for (const nsp of ["/", "/custom"]) {
        const where = `${v.name}, ${nsp}`;
        /** Connected socket of this variant (upgraded first when the variant says so). */
        const connect = async (t, opts = {}) => {
          const socket = await connectSio(t, server, nsp, { ...v.opts, auth: AUTH, ...opts });
          if (v.upgrade) await engineUpgraded(socket);
          return socket;
        };
        const checkTransport = (socket) =>
          assert.equal(socket.io.engine.transport.name, v.final, "transport at the end");

        test(`${where}: auth event, socket id`, T, async (t) => {
          const socket = await connect(t);
          assert.deepEqual(await socket.authPromise, AUTH);
          assert.match(socket.id, /^[\w-]{20}$/, "socket.id: 20 characters");
          assert.match(socket.io.engine.id, /^[\w-]{20}$/, "engine id: 20 characters");
          assert.notEqual(socket.id, socket.io.engine.id, "socket.id must differ from the engine id");
          checkTransport(socket);
        });

        test(`${where}: no auth gives an empty auth object`, T, async (t) => {
          const socket = await connectSio(t, server, nsp, v.opts);
          assert.deepEqual(await socket.authPromise, {});
        });

        test(`${where}: message echo of JSON args`, T, async (t) => {
          const socket = await connect(t);
          assert.deepEqual(await echoArgs(socket, MIXED), MIXED);
          assert.deepEqual(await echoArgs(socket, NUMBERS), NUMBERS);
          assert.deepEqual(await echoArgs(socket, []), [], "no args");
          checkTransport(socket);
        });

        test(`${where}: binary args come back byte-identical`, T, async (t) => {
          const socket = await connect(t);
          assert.deepEqual(plain(await echoArgs(socket, BINARY)), plain(BINARY));
          // one attachment only, and an empty one
          assert.deepEqual(plain(await echoArgs(socket, [bytes(10)])), plain([bytes(10)]));
          assert.deepEqual(plain(await echoArgs(socket, [Buffer.alloc(0), 1])), plain([Buffer.alloc(0), 1]));
          checkTransport(socket);
        });

        test(`${where}: message-with-ack returns the args through the ack`, T, async (t) => {
          const socket = await connect(t);
          assert.deepEqual(await ackArgs(socket, "message-with-ack", MIXED), MIXED);
          assert.deepEqual(plain(await ackArgs(socket, "message-with-ack", BINARY)), plain(BINARY));
          assert.deepEqual(await ackArgs(socket, "message-with-ack", []), []);
          assert.equal(await socket.timeout(2000).emitWithAck("message-with-ack", 1), 1);
          assert.deepEqual(await socket.timeout(2000).emitWithAck("message-with-ack", { a: [1, "b"] }), { a: [1, "b"] });
        });

        test(`${where}: emit-with-ack round trip (server asks, client acks)`, T, async (t) => {
          const socket = await connect(t);
          const json = await emitWithAckRoundTrip(socket, [1, "two", { three: 3 }], ["r1", 2, { r: [3] }]);
          assert.deepEqual(json, { asked: [1, "two", { three: 3 }], hadAck: true, final: ["r1", 2, { r: [3] }] });
          // binary in the server's event and in the client's ack (BINARY_ACK)
          const bin = await emitWithAckRoundTrip(socket, [bytes(5), "x"], [Buffer.from([9, 8]), { b: bytes(3) }]);
          assert.deepEqual(plain(bin), {
            asked: plain([bytes(5), "x"]),
            hadAck: true,
            final: plain([Buffer.from([9, 8]), { b: bytes(3) }]),
          });
        });

        test(`${where}: large events (900 KB text, 500 KB binary)`, T, async (t) => {
          const socket = await connect(t);
          const text = bigText(900_000);
          const [back] = await echoArgs(socket, [text]);
          assert.equal(back.length, text.length);
          assert.ok(back === text, "900 KB text changed");
          assert.deepEqual(plain(await echoArgs(socket, [bytes(500_000)])), plain([bytes(500_000)]));
          checkTransport(socket);
        });

        test(`${where}: 100 events arrive in order`, T, async (t) => {
          const socket = await connect(t);
          const sent = [];
          for (let i = 0; i < 100; i++) sent.push(i % 10 === 9 ? [i, Buffer.from([i])] : [i, `m${i}`]);
          const back = nextEvents(socket, "message-back", 100, 10_000);
          for (const args of sent) socket.emit("message", ...args);
          assert.deepEqual(plain(await back), plain(sent));
          checkTransport(socket);
        });

        test(`${where}: disconnect, then connect again on the same socket`, T, async (t) => {
          const socket = await connect(t);
          const firstId = socket.id;
          assert.deepEqual(await echoArgs(socket, ["before"]), ["before"]);
          socket.disconnect();
          assert.equal(socket.connected, false);
          const auth = once(socket, "auth");
          socket.connect();
          await once(socket, "connect");
          assert.deepEqual(await auth, [AUTH]);
          assert.notEqual(socket.id, firstId, "a new socket id");
          assert.deepEqual(await echoArgs(socket, ["after"]), ["after"]);
        });
      }

      test(`${v.name}: refused namespace gives connect_error "Invalid namespace"`, T, async (t) => {
        const socket = sioV4(t, server, "/nope", v.opts);
        const [err] = await once(socket, "connect_error");
        assert.equal(err.message, "Invalid namespace");
        assert.equal(err.data, undefined);
        assert.equal(socket.connected, false);
      });

      test(`${v.name}: "/" and "/custom" over one connection`, T, async (t) => {
        const manager = sioManager(t, server, v.opts);
        const root = await connectOn(manager, "/", { auth: { who: "root" } });
        const custom = await connectOn(manager, "/custom", { auth: { who: "custom" } });
        t.after(() => {
          root.disconnect();
          custom.disconnect();
        });
        if (v.upgrade) await engineUpgraded(root);
        assert.deepEqual(await root.authPromise, { who: "root" });
        assert.deepEqual(await custom.authPromise, { who: "custom" });
        assert.notEqual(root.id, custom.id);
        // each echo comes back on its own namespace only
        let stray = 0;
        custom.on("message-back", () => stray++);
        assert.deepEqual(await echoArgs(root, ["to root"]), ["to root"]);
        custom.off("message-back");
        assert.deepEqual(await echoArgs(custom, ["to custom", bytes(4)]).then(plain), plain(["to custom", bytes(4)]));
        assert.equal(stray, 0, "the root echo reached /custom");
        // leaving /custom keeps "/" working on the same connection
        const engineId = manager.engine.id;
        custom.disconnect();
        assert.deepEqual(await echoArgs(root, ["still"]), ["still"]);
        assert.equal(manager.engine.id, engineId);
        // a refused namespace on the same connection does not hurt the others
        const nope = manager.socket("/nope");
        const [err] = await once(nope, "connect_error");
        assert.equal(err.message, "Invalid namespace");
        assert.deepEqual(await echoArgs(root, ["after nope"]), ["after nope"]);
        nope.disconnect();
      });
    }
  },
  SIO_TARGETS,
);
