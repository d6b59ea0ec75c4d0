// socket.io-client 2.5 (Socket.IO protocol v4 over EIO=3) against
// socketio_echo --eio3, over polling, websocket and upgrade: "/" (which a v2
// client joins without sending a CONNECT) and "/custom?token=abc" (the query
// is the auth), echoes with binary, acks both ways, a refused namespace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeTargets } from "../lib/fixture.js";
import { SIO_TARGETS } from "../lib/server.js";
import {
  SIO_VARIANTS,
  connectSioV2,
  sioV2,
  once,
  nextEvents,
  engineUpgraded,
  echoArgs,
  ackArgs,
  emitWithAckRoundTrip,
  plain,
} from "../lib/sio.js";
import { UNICODE, bytes } from "../lib/payloads.js";

const T = { timeout: 15_000 };

const MIXED = ["hello", 1.5, 42, true, null, { a: { b: [1, "x", { c: null }] } }, [1, [2, [3]]], UNICODE, "😀👍🏽"];
const BINARY = [Buffer.from([1, 2, 3]), { file: bytes(1000), nested: [Buffer.from([0xff, 0]), "t"] }, bytes(20_000)];

describeTargets(
  "socket.io-client 2.x, --eio3",
  ["--eio3"],
  (server) => {
    for (const v of SIO_VARIANTS) {
      for (const [path, nsp, auth] of [
        ["/", "/", {}],
        ["/custom?token=abc", "/custom", { token: "abc" }],
      ]) {
        const where = `${v.name}, ${path}`;
        const connect = async (t) => {
          const socket = await connectSioV2(t, server, path, v.opts);
          if (v.upgrade) await engineUpgraded(socket);
          return socket;
        };

        test(`${where}: connects, auth event ${JSON.stringify(auth)}`, T, async (t) => {
          const socket = await connect(t);
          assert.deepEqual(await socket.authPromise, auth);
          assert.equal(socket.nsp, nsp);
          assert.equal(socket.io.engine.transport.name, v.final);
          assert.match(socket.io.engine.id, /^[\w-]{20}$/);
        });

        test(`${where}: message echo, JSON and binary`, T, async (t) => {
          const socket = await connect(t);
          assert.deepEqual(await echoArgs(socket, MIXED), MIXED);
          assert.deepEqual(plain(await echoArgs(socket, BINARY)), plain(BINARY));
          const back = nextEvents(socket, "message-back", 50, 10_000);
          const sent = [];
          for (let i = 0; i < 50; i++) sent.push(i % 10 === 9 ? [i, Buffer.from([i])] : [i, `m${i}`]);
          for (const args of sent) socket.emit("message", ...args);
          assert.deepEqual(plain(await back), plain(sent), "50 events in order");
          assert.equal(socket.io.engine.transport.name, v.final);
        });

        test(`${where}: acks both ways`, T, async (t) => {
          const socket = await connect(t);
          assert.deepEqual(await ackArgs(socket, "message-with-ack", MIXED), MIXED);
          assert.deepEqual(plain(await ackArgs(socket, "message-with-ack", BINARY)), plain(BINARY));
          const rt = await emitWithAckRoundTrip(socket, [1, "two"], ["r", { n: 2 }, Buffer.from([4, 5])]);
          assert.deepEqual(plain(rt), { asked: [1, "two"], hadAck: true, final: plain(["r", { n: 2 }, Buffer.from([4, 5])]) });
        });
      }

      test(`${v.name}: /custom with a query object: auth gets the decoded values`, T, async (t) => {
        // the v2 client encodes the values with encodeURIComponent
        const query = { token: "a b+c/=?&é😀", empty: "" };
        const socket = await connectSioV2(t, server, "/custom", { ...v.opts, query });
        assert.deepEqual(await socket.authPromise, query);
      });

      test(`${v.name}: refused namespace gives an error event {message: "Invalid namespace"}`, T, async (t) => {
        const socket = sioV2(t, server, "/nope", v.opts);
        let connected = false;
        socket.on("connect", () => (connected = true));
        const [err] = await once(socket, "error");
        // what socket.io 4.8 gives a v2 client: the CONNECT_ERROR payload, an object
        assert.deepEqual(err, { message: "Invalid namespace" });
        assert.equal(connected, false);
      });
    }
  },
  SIO_TARGETS,
);

describeTargets(
  "socket.io-client 2.x without --eio3",
  [],
  (server) => {
    for (const v of SIO_VARIANTS.slice(0, 2)) {
      test(`${v.name}: the v2 client cannot connect`, T, async (t) => {
        const socket = sioV2(t, server, "/", v.opts);
        let connected = false;
        socket.on("connect", () => (connected = true));
        await once(socket, "connect_error");
        assert.equal(connected, false);
      });
    }
  },
  SIO_TARGETS,
);
