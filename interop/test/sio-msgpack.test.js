// socketio_echo --msgpack (socket.io-msgpack-parser 3.0.2: every Socket.IO
// packet is one MessagePack-encoded object {type, nsp, data, id?}, sent as
// one binary Engine.IO message).
// 1. socket.io-client 4.8 with the same parser, over polling only, websocket
//    only and polling upgraded to websocket, on cpp, cpp-2 and node: the auth
//    event, echoes of mixed values (every MessagePack integer, string, array
//    and map width), binary (bin 8/16/32, top level and nested), acks both
//    ways, a refused namespace, 100 events in order.
// 2. Raw frames over `?EIO=4&transport=websocket`, node twin vs cpp and
//    cpp-2, compared as decoded objects (notepack.io; sids and the server's
//    ack ids masked): the CONNECT answer is one binary frame, answers to
//    events and acks, malformed frames (random bytes and others: each closes
//    the connection, as socket.io does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import msgpack from "notepack.io";
import msgpackParser from "socket.io-msgpack-parser";
import { describeTargets } from "../lib/fixture.js";
import { compareCases } from "../lib/compare.js";
import { SIO_TARGETS, SIO_NODE_TARGET, SIO_CPP_TARGETS } from "../lib/server.js";
import {
  SIO_VARIANTS,
  connectSio,
  sioV4,
  once,
  nextEvents,
  engineUpgraded,
  echoArgs,
  ackArgs,
  emitWithAckRoundTrip,
  plain,
} from "../lib/sio.js";
import { openSioWs, closesWithin } from "../lib/sio-raw.js";
import { UNICODE, bytes, bigText } from "../lib/payloads.js";
import { sleep } from "../lib/time.js";

const T = { timeout: 15_000 };
const ARGS = ["--msgpack"];

/** Auth with values of several MessagePack types. */
const AUTH = { token: "abc", n: -3, big: 2 ** 40, f: 1.5, ok: true, none: null, nested: { a: [1, "é", [2]] } };

/** `n` keys k0..k(n-1) with the values 0..n-1 (map 16 from 16 keys on). */
const mapOf = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

/**
 * Mixed values around the MessagePack format boundaries: positive and
 * negative fixint, uint/int 8/16/32/64, float 64, fixstr/str 8/16/32 (in
 * UTF-8 bytes), fixarray/array 16/32, fixmap/map 16, nil, true, false.
 * No integral number beyond 2^53 and no -0: notepack.io encodes every
 * integral number as an integer (1e300 becomes 0, -0 becomes 0).
 */
const MIXED = [
  0,
  1,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32768,
  -32769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 53 - 1),
  1.5,
  -0.25,
  123456.789,
  -1.25e-300,
  5e-324,
  "",
  "hello",
  "x".repeat(31),
  "x".repeat(32),
  "y".repeat(256),
  bigText(70_000),
  UNICODE,
  "emoji 😀👍🏽 and CJK 你好",
  'quote " backslash \\ nul \u0000 del \u007f',
  null,
  true,
  false,
  [],
  {},
  { a: { b: [1, "x", { c: null, d: false }] }, e: "é" },
  [1, [2, [3, []]], {}],
  Array.from({ length: 15 }, (_, i) => i),
  Array.from({ length: 16 }, (_, i) => -i - 1),
  Array.from({ length: 70_000 }, (_, i) => i & 0x7f),
  mapOf(15),
  mapOf(16),
];

/** Binary args: bin 8 / 16 / 32, empty, top level, nested in objects and arrays. */
const BINARY = [
  Buffer.from([1, 2, 3]),
  "text between",
  Buffer.alloc(0),
  bytes(255),
  bytes(256),
  bytes(65_535),
  bytes(65_536),
  { file: bytes(1000), meta: { name: "a.bin", parts: [Buffer.from([0xff, 0x00]), 7] } },
  [Buffer.from("utf8 text as bytes ✓"), { deep: { deeper: bytes(300) } }],
];

describeTargets(
  "socket.io-client 4.x with socket.io-msgpack-parser",
  ARGS,
  (server) => {
    for (const v of SIO_VARIANTS) {
      /** Connected msgpack socket of this variant (upgraded first when the variant says so). */
      const connect = async (t, opts = {}) => {
        const socket = await connectSio(t, server, "/", { ...v.opts, parser: msgpackParser, auth: AUTH, ...opts });
        if (v.upgrade) await engineUpgraded(socket);
        return socket;
      };
      const checkTransport = (socket) => assert.equal(socket.io.engine.transport.name, v.final, "transport at the end");

      test(`${v.name}: auth event`, T, async (t) => {
        const socket = await connect(t);
        assert.deepEqual(await socket.authPromise, AUTH);
        assert.match(socket.id, /^[\w-]{20}$/, "socket.id: 20 characters");
        const bare = await connectSio(t, server, "/custom", { ...v.opts, parser: msgpackParser });
        assert.deepEqual(await bare.authPromise, {}, "no auth on /custom");
        checkTransport(socket);
      });

      test(`${v.name}: message echo of mixed values`, T, async (t) => {
        const socket = await connect(t);
        assert.deepEqual(await echoArgs(socket, MIXED), MIXED);
        for (const x of MIXED) {
          assert.deepEqual(await echoArgs(socket, [x]), [x], `alone: ${JSON.stringify(x).slice(0, 40)}`);
        }
        assert.deepEqual(await echoArgs(socket, []), [], "no args");
        checkTransport(socket);
      });

      test(`${v.name}: binary args come back byte-identical`, T, async (t) => {
        const socket = await connect(t);
        const back = await echoArgs(socket, BINARY);
        assert.deepEqual(plain(back), plain(BINARY));
        assert.ok(Buffer.isBuffer(back[0]) && Buffer.isBuffer(back[7].meta.parts[0]), "binary decoded as Buffer");
        assert.deepEqual(plain(await echoArgs(socket, [bytes(500_000)])), plain([bytes(500_000)]), "500 KB");
        checkTransport(socket);
      });

      test(`${v.name}: message-with-ack returns the args through the ack`, T, async (t) => {
        const socket = await connect(t);
        assert.deepEqual(await ackArgs(socket, "message-with-ack", MIXED), MIXED);
        assert.deepEqual(plain(await ackArgs(socket, "message-with-ack", BINARY)), plain(BINARY));
        assert.deepEqual(await ackArgs(socket, "message-with-ack", []), []);
        assert.equal(await socket.timeout(2000).emitWithAck("message-with-ack", -129), -129);
      });

      test(`${v.name}: emit-with-ack round trip (server asks, client acks)`, T, async (t) => {
        const socket = await connect(t);
        const json = await emitWithAckRoundTrip(socket, [1, "two", { three: 3.5 }], ["r1", -2, { r: [2 ** 40] }]);
        assert.deepEqual(json, {
          asked: [1, "two", { three: 3.5 }],
          hadAck: true,
          final: ["r1", -2, { r: [2 ** 40] }],
        });
        const bin = await emitWithAckRoundTrip(socket, [bytes(5), "x"], [Buffer.from([9, 8]), { b: bytes(300) }]);
        assert.deepEqual(plain(bin), {
          asked: plain([bytes(5), "x"]),
          hadAck: true,
          final: plain([Buffer.from([9, 8]), { b: bytes(300) }]),
        });
      });

      test(`${v.name}: refused namespace gives connect_error "Invalid namespace"`, T, async (t) => {
        const socket = sioV4(t, server, "/nope", { ...v.opts, parser: msgpackParser });
        const [err] = await once(socket, "connect_error");
        assert.equal(err.message, "Invalid namespace");
        assert.equal(err.data, undefined);
        assert.equal(socket.connected, false);
      });

      test(`${v.name}: 100 events arrive in order`, T, async (t) => {
        const socket = await connect(t);
        const sent = [];
        for (let i = 0; i < 100; i++) sent.push(i % 10 === 9 ? [i, Buffer.from([i])] : [i * 1000, `m${i}`, -i - 1]);
        const back = nextEvents(socket, "message-back", 100, 10_000);
        for (const args of sent) socket.emit("message", ...args);
        assert.deepEqual(plain(await back), plain(sent));
        checkTransport(socket);
      });
    }
  },
  SIO_TARGETS,
);

// ---- raw frames ----

/** Node's engine.io closes a WebSocket without a status code. */
const CLOSE = 1005;

/**
 * Comparable form of a decoded value: binary as {$bin: hex}, `undefined`
 * (notepack's fixext 1 type 0) as "<undefined>", a session id as "<sid>".
 */
function norm(v, key) {
  if (v === undefined) return "<undefined>";
  if (Buffer.isBuffer(v)) return { $bin: v.toString("hex") };
  if (key === "sid" && typeof v === "string" && /^[\w-]{20}$/.test(v)) return "<sid>";
  if (Array.isArray(v)) return v.map((x) => norm(x));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x, k)]));
  return v;
}

/** A received frame: {binary: decoded packet} (server ack ids as "<id>"), {text}, or {undecodable: hex}. */
function frameObs(f) {
  if (!Buffer.isBuffer(f)) return { text: f };
  let p;
  try {
    p = msgpack.decode(f);
  } catch {
    return { undecodable: f.toString("hex") };
  }
  const o = norm(p);
  // the ack ids of the server's own requests are counted per namespace across sockets (Node)
  if (o && o.type === 2 && typeof o.id === "number") o.id = "<id>";
  return { binary: o };
}

const isConnectAnswer = (f) => {
  if (!Buffer.isBuffer(f)) return false;
  try {
    const p = msgpack.decode(f);
    return p?.type === 0 || p?.type === 4;
  } catch {
    return false;
  }
};

/**
 * Opens a raw connection, sends `sends` in order (objects msgpack-encoded
 * as binary frames, Buffers as binary frames as they are, strings as text
 * frames, {wait: ms} a pause; after a CONNECT object, waits up to 1 s for
 * its answer, as clients do), waits for `frames` frames (or the close, or
 * 3 s), then up to `closeWithin` ms for the close. Resolves with {frames
 * (frameObs, from the `skip`-th on), closed (the close code, or false)}.
 */
async function mpExchange(server, sends, { frames = 0, closeWithin = 300, skip = 0 } = {}) {
  const w = await openSioWs(server);
  try {
    for (const s of sends) {
      if (s?.wait !== undefined) {
        await sleep(s.wait);
        continue;
      }
      const isConnect = !Buffer.isBuffer(s) && typeof s === "object" && s.type === 0;
      const answers = w.frames.filter(isConnectAnswer).length;
      w.send(typeof s === "string" || Buffer.isBuffer(s) ? s : msgpack.encode(s));
      if (isConnect) {
        const until = Date.now() + 1000;
        while (w.frames.filter(isConnectAnswer).length === answers && !w.isClosed() && Date.now() < until) {
          await sleep(5);
        }
      }
    }
    const deadline = Date.now() + 3000;
    while (w.frames.length < frames && !w.isClosed() && Date.now() < deadline) await sleep(10);
    const isClosed = await closesWithin(w, closeWithin);
    return { frames: w.frames.slice(skip).map(frameObs), closed: isClosed ? (await w.closed).code : false };
  } finally {
    w.close();
  }
}

const CONNECT = { type: 0, nsp: "/" };
const event = (...data) => ({ type: 2, nsp: "/", data });
const back = (...data) => ({ binary: { type: 2, nsp: "/", data } });
const AUTH_EMPTY = back("auth", {});
/** Values without binary for the raw echo. */
const RAW_JSON = [1, -5, 2 ** 40, -(2 ** 40), 1.5, "é😀", null, true, [], {}];

/** Joins "/", then `sends`: the frames after the CONNECT answer. */
const joined = (sends, opts = {}) => (s) => mpExchange(s, [CONNECT, ...sends], { skip: 1, ...opts });

/** `n` deterministic pseudo-random bytes for `seed` (sha256 chain). */
function randomBytes(seed, n) {
  const out = [];
  let h = Buffer.from(String(seed));
  while (out.length < n) {
    h = createHash("sha256").update(h).digest();
    out.push(...h);
  }
  return Buffer.from(out.slice(0, n));
}

/** A frame that violates the protocol after joining "/": no answer, the connection closes. */
const violation = (name, bad) => ({
  name: `malformed after joining /: ${name}`,
  run: joined([bad], { frames: 1, closeWithin: 1500 }),
  expect: { frames: [AUTH_EMPTY], closed: CLOSE },
});

const RANDOM = [
  [1, 1],
  [2, 7],
  [3, 16],
  [4, 33],
  [5, 64],
  [6, 300],
].map(([seed, n]) => [seed, randomBytes(`sio-msgpack-${seed}`, n)]);

compareCases(
  "socketio_echo --msgpack: raw frames, node twin vs cpp",
  [
    {
      name: "CONNECT / is answered with one binary frame, then the auth event (binary)",
      run: async (s) => {
        const r = await mpExchange(s, [CONNECT], { frames: 2 });
        return { kinds: r.frames.map((f) => Object.keys(f)[0]), closed: r.closed };
      },
      expect: { kinds: ["binary", "binary"], closed: false },
    },
    {
      name: "CONNECT / with auth: the decoded CONNECT answer",
      run: async (s) => {
        const r = await mpExchange(s, [{ ...CONNECT, data: { token: "abc" } }], { frames: 2 });
        return { answer: r.frames[0], closed: r.closed };
      },
      // socket.io sends {sid, pid} with pid undefined, which notepack encodes
      // as fixext 1 type 0 (d4 00 00)
      expect: { answer: { binary: { type: 0, nsp: "/", data: { sid: "<sid>", pid: "<undefined>" } } }, closed: false },
      // sio-cpp has no undefined: without recovery there is no pid key at all (clients read
      // pid as undefined either way).
      cppExpect: { answer: { binary: { type: 0, nsp: "/", data: { sid: "<sid>" } } }, closed: false },
    },
    {
      name: "CONNECT / without auth: the auth event {}",
      run: joined([], { frames: 2 }),
      expect: { frames: [AUTH_EMPTY], closed: false },
    },
    {
      name: "CONNECT / with auth of mixed values: the auth event",
      run: (s) => mpExchange(s, [{ ...CONNECT, data: AUTH }], { frames: 2, skip: 1 }),
      expect: { frames: [back("auth", AUTH)], closed: false },
    },
    {
      name: "CONNECT /custom: answer and auth event",
      run: async (s) => {
        const r = await mpExchange(s, [{ type: 0, nsp: "/custom", data: { a: 1 } }], { frames: 2 });
        return { kinds: r.frames.map((f) => Object.keys(f)[0]), auth: r.frames[1], closed: r.closed };
      },
      expect: {
        kinds: ["binary", "binary"],
        auth: { binary: { type: 2, nsp: "/custom", data: ["auth", { a: 1 }] } },
        closed: false,
      },
    },
    {
      name: "CONNECT /nope: CONNECT_ERROR Invalid namespace, the connection stays open",
      run: (s) => mpExchange(s, [{ type: 0, nsp: "/nope" }], { frames: 1, closeWithin: 300 }),
      expect: {
        frames: [{ binary: { type: 4, nsp: "/nope", data: { message: "Invalid namespace" } } }],
        closed: false,
      },
    },
    {
      name: "event echo with mixed values and binary",
      run: joined([event("message", ...RAW_JSON, Buffer.from([1, 2]), { x: [Buffer.from([3])] })], { frames: 2 }),
      expect: {
        frames: [AUTH_EMPTY, back("message-back", ...RAW_JSON, { $bin: "0102" }, { x: [{ $bin: "03" }] })],
        closed: false,
      },
    },
    {
      name: "event with an ack id: the ACK keeps the id",
      run: joined([{ type: 2, nsp: "/", id: 7, data: ["message-with-ack", 1, Buffer.from([5])] }], { frames: 2 }),
      expect: {
        frames: [AUTH_EMPTY, { binary: { type: 3, nsp: "/", id: 7, data: [1, { $bin: "05" }] } }],
        closed: false,
      },
    },
    {
      name: "emit-with-ack: the server's request, then its event with the client's ACK args",
      run: async (s) => {
        const w = await openSioWs(s);
        try {
          w.send(msgpack.encode(CONNECT));
          await w.next();
          await w.next();
          w.send(msgpack.encode(event("emit-with-ack", "q", Buffer.from([1]))));
          const ask = msgpack.decode(await w.next());
          w.send(msgpack.encode({ type: 3, nsp: "/", id: ask.id, data: ["r", Buffer.from([2]), { n: -1 }] }));
          const fin = await w.next();
          return { ask: frameObs(msgpack.encode(ask)), idIsInt: Number.isInteger(ask.id), final: frameObs(fin) };
        } finally {
          w.close();
        }
      },
      expect: {
        ask: { binary: { type: 2, nsp: "/", id: "<id>", data: ["emit-with-ack", "q", { $bin: "01" }] } },
        idIsInt: true,
        final: back("emit-with-ack", "r", { $bin: "02" }, { n: -1 }),
      },
    },
    {
      name: "unknown keys in a packet are ignored",
      run: joined([{ ...event("message", 1), foo: 1 }], { frames: 2 }),
      expect: { frames: [AUTH_EMPTY, back("message-back", 1)], closed: false },
    },
    {
      name: "a number as the event name is accepted (no answer, the connection stays open)",
      run: joined([event(1, 2), event("message", "after")], { frames: 2 }),
      expect: { frames: [AUTH_EMPTY, back("message-back", "after")], closed: false },
    },
    {
      // socket.io-msgpack-parser has no reserved-name check (socket.io-parser has)
      name: 'an event named "connect" is not a protocol violation (nothing answered, still open)',
      run: joined([event("connect", 1), event("message", "after")], { frames: 2 }),
      expect: { frames: [AUTH_EMPTY, back("message-back", "after")], closed: false },
    },
    // socket.io-msgpack-parser only checks that an EVENT's data is an array:
    // unlike socket.io-parser, it lets through any event name, or none
    ...[
      ["no name (data [])", []],
      ["a map as the name", [{ a: 1 }, 2]],
      ["nil as the name", [null, 2]],
      ['the reserved name "disconnect"', ["disconnect", 1]],
    ].map(([what, data]) => ({
      name: `an event with ${what} is ignored (the connection stays open)`,
      run: joined([event(...data), event("message", "after")], { frames: 2 }),
      expect: { frames: [AUTH_EMPTY, back("message-back", "after")], closed: false },
    })),
    {
      name: "an ack id of -1 is an integer: the ACK carries it",
      run: joined([{ ...event("message-with-ack", 1), id: -1 }], { frames: 2 }),
      expect: { frames: [AUTH_EMPTY, { binary: { type: 3, nsp: "/", id: -1, data: [1] } }], closed: false },
      // sio-cpp's ack ids are unsigned (no client sends a negative one): refused with a clean close.
      cppExpect: { frames: [AUTH_EMPTY], closed: CLOSE },
    },
    {
      // notepack.io's encoding of undefined (what a JS client sends for an undefined argument)
      name: "undefined (fixext 1 type 0) in an event comes back as undefined",
      run: joined([msgpack.encode(event("message", undefined, { a: undefined }))], { frames: 2 }),
      expect: { frames: [AUTH_EMPTY, back("message-back", "<undefined>", { a: "<undefined>" })], closed: false },
      // sio::value has no undefined: it arrives, and goes back, as null.
      cppExpect: { frames: [AUTH_EMPTY, back("message-back", null, { a: null })], closed: false },
    },
    {
      name: "a map with an integer key (81 01 01) comes back with the key as a string",
      run: joined([Buffer.from("83a47479706502a36e7370a12fa46461746192a76d657373616765810101", "hex")], { frames: 2 }),
      expect: { frames: [AUTH_EMPTY, back("message-back", { 1: 1 })], closed: false },
    },
    {
      ...violation("CONNECT /custom with data nil (must be absent or a map)", { type: 0, nsp: "/custom", data: null }),
      // Node's server fails on a null auth (it reads auth.pid) and drops the connection; sio-cpp
      // takes nil as no auth and joins, as a missing payload does.
      cppExpect: {
        frames: [
          AUTH_EMPTY,
          { binary: { type: 0, nsp: "/custom", data: { sid: "<sid>" } } },
          { binary: { type: 2, nsp: "/custom", data: ["auth", {}] } },
        ],
        closed: false,
      },
    },
    violation("an ack id nil (must be absent or an integer)", { ...event("message-with-ack", 1), id: null }),
    ...RANDOM.map(([seed, bad]) =>
      violation(`random bytes #${seed} (${bad.length} B: ${bad.toString("hex").slice(0, 16)}...)`, bad),
    ),
    violation("an empty binary frame", Buffer.alloc(0)),
    violation("a truncated map (83 a4 74 79 70 65)", Buffer.from("83a474797065", "hex")),
    violation("a msgpack array, not a map", msgpack.encode([2, "/", ["message"]])),
    violation(
      "a trailing byte after the packet",
      Buffer.concat([msgpack.encode(event("message", 1)), Buffer.from([0])]),
    ),
    violation("type 9", { type: 9, nsp: "/", data: [] }),
    violation("no nsp", { type: 2, data: ["message", 1] }),
    violation("data not an array", { type: 2, nsp: "/", data: "message" }),
    violation("a string ack id", { type: 2, nsp: "/", id: "1", data: ["message", 1] }),
    violation('a text frame (42["message",1])', '42["message",1]'),
    ...RANDOM.slice(0, 3).map(([seed, bad]) => ({
      name: `malformed before any namespace: random bytes #${seed}`,
      run: (s) => mpExchange(s, [bad], { closeWithin: 1500 }),
      expect: { frames: [], closed: CLOSE },
    })),
  ],
  { args: ARGS, node: SIO_NODE_TARGET, cpps: SIO_CPP_TARGETS },
);
