// Raw Socket.IO packets over a raw WebSocket (`?EIO=4&transport=websocket`,
// pings answered): the C++ socketio_echo must answer like the Node twin
// (socket.io 4.8). Each observation is the list of frames the server sends
// after the open packet (session ids and server ack ids masked, binary as
// hex) and the close code of the connection (false: still open at the end).
// `expect` records what Node does; `cppExpect` documents a deliberate
// difference.
import assert from "node:assert/strict";
import { compareCases } from "../lib/compare.js";
import { SIO_NODE_TARGET, SIO_CPP_TARGETS } from "../lib/server.js";
import { SIO_PATH, openSioWs, exchange, closesWithin, normFrame, stillServes } from "../lib/sio-raw.js";
import { sleep } from "../lib/time.js";
import { request, eioPath } from "../lib/raw.js";

const CONNECTED = '40{"sid":"<sid>"}';
const AUTH_EMPTY = '42["auth",{}]';
const JOINED = [CONNECTED, AUTH_EMPTY];
/** Node's engine.io closes a WebSocket without a status code. */
const CLOSE = 1005;

/** Case helper: `sends`, then the frames and close state. */
const ex = (sends, opts) => (s) => exchange(s, sends, opts);

/**
 * A protocol violation after joining "/": Node answers nothing more and
 * closes the connection.
 */
const violation = (name, ...bad) => ({
  name,
  run: ex(["40", ...bad], { frames: 2, closeWithin: 1500 }),
  expect: { frames: JOINED, closed: CLOSE },
});

/** `levels` nested arrays around 1. */
const nested = (levels) => "[".repeat(levels) + "1" + "]".repeat(levels);

/**
 * Joins "/", sends an event whose argument is nested `levels` deep: the
 * reply ("identical echo", null when none within 1.5 s, else the frame), the
 * close code (false if still open 1 s later), and whether a new connection
 * still gets an echo.
 */
const deepEvent = (levels) => async (s) => {
  const w = await openSioWs(s);
  let r;
  try {
    w.send("40");
    await w.next();
    await w.next();
    w.send(`42["message",${nested(levels)}]`);
    const reply = await w.next(1500).catch(() => null);
    const isClosed = await closesWithin(w, 1000);
    r = {
      reply: reply === null ? null : reply === `42["message-back",${nested(levels)}]` ? "identical echo" : normFrame(reply),
      closed: isClosed ? (await w.closed).code : false,
    };
  } finally {
    w.close();
  }
  await sleep(50);
  return { ...r, serverStillServes: await stillServes(s) };
};

/**
 * Sockets a and b join "/"; a asks for "emit-with-ack" twice, then b once: how the ack ids of
 * the server's three requests follow each other.
 */
const serverAckIds = async (s) => {
  const [a, b] = [await openSioWs(s), await openSioWs(s)];
  try {
    const ask = async (w) => {
      w.send('42["emit-with-ack",1]');
      for (;;) {
        const m = /^42(\d+)\["emit-with-ack",1\]$/.exec(await w.next(2000));
        if (m) return Number(m[1]);
      }
    };
    for (const w of [a, b]) {
      w.send("40");
      await w.next(); // the CONNECT answer
    }
    const ids = [await ask(a), await ask(a), await ask(b)];
    return {
      sameSocket: ids[1] - ids[0],
      otherSocket: ids[2] - ids[0] === 2 ? "counts on" : "own count",
      below2p30: ids.every((id) => id < 2 ** 30),
    };
  } finally {
    a.close();
    b.close();
  }
};

/** Joins "/", sends `event` and returns the parsed payload of the answer (frame 3). */
const parsedEcho = (event) => async (s) => {
  const r = await exchange(s, ["40", event], { frames: 3 });
  const back = r.frames[2];
  const m = back === undefined ? null : /^42(\[.*)$/s.exec(back);
  return { parsed: m ? JSON.parse(m[1]) : back ?? null, closed: r.closed };
};

/**
 * Socket.IO v4 protocol (the v2 client's) over EIO=3, with --eio3: the
 * server joins "/" by itself, a CONNECT carries its auth as a query string
 * and its answer has no payload, binary WebSocket frames start with the
 * Engine.IO packet type byte 4.
 */
const V3 = { EIO: "3" };
const V3_JOINED = ["40", AUTH_EMPTY];
const ex3 = (sends, opts) => (s) => exchange(s, sends, { ...opts, query: V3 });
const EIO3_CASES = [
  {
    name: "EIO=3: the server joins / at once (40, then auth {})",
    eio3: true,
    run: ex3([], { frames: 2 }),
    expect: { frames: V3_JOINED, closed: false },
  },
  {
    name: "EIO=3 polling: the first GET carries the open packet alone, the join comes next",
    eio3: true,
    run: async (s) => {
      const get = (sid) =>
        request(s, { path: eioPath({ EIO: "3", transport: "polling", ...(sid && { sid }) }, SIO_PATH) });
      const first = await get();
      const sid = JSON.parse(/^\d+:0(\{.*\})$/s.exec(first.text)?.[1] ?? "{}").sid;
      const second = await get(sid);
      // "<length>:<packet>" records; the open packet's details aside
      const records = (text) => [...text.matchAll(/\d+:(.)/g)].map((m) => m[1]);
      return { first: records(first.text), second: second.text };
    },
    expect: { first: ["0"], second: '2:4013:42["auth",{}]' },
  },
  {
    name: "EIO=3: 40/custom?token=abc, -> 40/custom, and auth from the query",
    eio3: true,
    run: ex3(["40/custom?token=abc,"], { frames: 4 }),
    expect: { frames: [...V3_JOINED, "40/custom,", '42/custom,["auth",{"token":"abc"}]'], closed: false },
  },
  {
    name: "EIO=3: query with a repeated key (the last one wins) and an empty value",
    eio3: true,
    run: ex3(["40/custom?a=1&a=2&b=,"], { frames: 4 }),
    expect: { frames: [...V3_JOINED, "40/custom,", '42/custom,["auth",{"a":"2","b":""}]'], closed: false },
  },
  {
    name: "EIO=3: query values are percent-decoded, + is a space",
    eio3: true,
    run: ex3(["40/custom?t=a%20b+c%2C%2B%C3%A9&k%3D=v,"], { frames: 4 }),
    expect: {
      frames: [...V3_JOINED, "40/custom,", '42/custom,["auth",{"t":"a b c,+é","k=":"v"}]'],
      closed: false,
    },
  },
  {
    name: "EIO=3: 40/nope, -> 44/nope,{Invalid namespace}, / stays joined",
    eio3: true,
    run: ex3(["40/nope,", '42["message","ok"]'], { frames: 4, closeWithin: 1200 }),
    expect: {
      frames: [...V3_JOINED, '44/nope,{"message":"Invalid namespace"}', '42["message-back","ok"]'],
      closed: false,
    },
  },
  {
    name: 'EIO=3: 42["message",1,"a"] and 421["message-with-ack",2]',
    eio3: true,
    run: ex3(['42["message",1,"a"]', '421["message-with-ack",2]'], { frames: 4 }),
    expect: { frames: [...V3_JOINED, '42["message-back",1,"a"]', "431[2]"], closed: false },
  },
  {
    name: "EIO=3: binary event, the binary frame with its 0x04 prefix",
    eio3: true,
    run: ex3(['451-["message",{"_placeholder":true,"num":0}]', Buffer.from([4, 1, 2, 3])], { frames: 4 }),
    expect: {
      frames: [...V3_JOINED, '451-["message-back",{"_placeholder":true,"num":0}]', "<bin 04010203>"],
      closed: false,
    },
  },
  {
    name: "EIO=3: event on /custom after joining it",
    eio3: true,
    run: ex3(["40/custom,", '42/custom,["message"]'], { frames: 5 }),
    expect: {
      frames: [...V3_JOINED, "40/custom,", '42/custom,["auth",{}]', '42/custom,["message-back"]'],
      closed: false,
    },
  },
  {
    name: "EIO=3: malformed 4x closes",
    eio3: true,
    run: ex3(["4x"], { frames: 2, closeWithin: 1500 }),
    expect: { frames: V3_JOINED, closed: CLOSE },
  },
  {
    name: "EIO=3: event for a namespace not joined closes",
    eio3: true,
    run: ex3(['42/custom,["message"]'], { frames: 2, closeWithin: 1500 }),
    expect: { frames: V3_JOINED, closed: CLOSE },
  },
  {
    name: "EIO=3: 40 again for / closes",
    eio3: true,
    run: ex3(["40"], { frames: 2, closeWithin: 1500 }),
    expect: { frames: V3_JOINED, closed: CLOSE },
  },
];

compareCases(
  "socket.io raw packets, node twin vs cpp",
  [
    {
      name: "open packet, then 40 joins / (CONNECT answer with its own sid, then auth)",
      run: async (s) => {
        const w = await openSioWs(s);
        try {
          const o = w.open;
          w.send("40");
          const connect = await w.next();
          const auth = await w.next();
          const sid = JSON.parse(connect.slice(2)).sid;
          return {
            open: {
              sid: /^[\w-]{20}$/.test(o.sid) ? "<20 chars>" : o.sid,
              upgrades: o.upgrades,
              pingInterval: o.pingInterval,
              pingTimeout: o.pingTimeout,
              maxPayload: o.maxPayload,
            },
            connect: normFrame(connect),
            socketSidIsNew: sid !== o.sid,
            auth,
          };
        } finally {
          w.close();
        }
      },
      expect: {
        open: { sid: "<20 chars>", upgrades: [], pingInterval: 300, pingTimeout: 200, maxPayload: 1_000_000 },
        connect: CONNECTED,
        socketSidIsNew: true,
        auth: AUTH_EMPTY,
      },
    },
    {
      name: "40/custom,{auth}: CONNECT answer and the auth event on /custom",
      run: ex(['40/custom,{"token":1}'], { frames: 2 }),
      expect: { frames: ['40/custom,{"sid":"<sid>"}', '42/custom,["auth",{"token":1}]'], closed: false },
    },
    {
      name: "40/custom, without auth: auth is {}",
      run: ex(["40/custom,"], { frames: 2 }),
      expect: { frames: ['40/custom,{"sid":"<sid>"}', '42/custom,["auth",{}]'], closed: false },
    },
    {
      name: "40 with a nested auth object",
      run: ex(['40{"a":{"b":[1,"x",null]},"c":"é😀"}'], { frames: 2 }),
      expect: { frames: [CONNECTED, '42["auth",{"a":{"b":[1,"x",null]},"c":"é😀"}]'], closed: false },
    },
    {
      name: '42["message",1,"a"] -> 42["message-back",1,"a"] exactly',
      run: ex(["40", '42["message",1,"a"]'], { frames: 3 }),
      expect: { frames: [...JOINED, '42["message-back",1,"a"]'], closed: false },
    },
    {
      name: "event on /custom: the answer carries the namespace",
      run: ex(["40/custom,", '42/custom,["message",{"k":[true,null]}]'], { frames: 3 }),
      expect: {
        frames: ['40/custom,{"sid":"<sid>"}', '42/custom,["auth",{}]', '42/custom,["message-back",{"k":[true,null]}]'],
        closed: false,
      },
    },
    {
      name: "event with unicode text is echoed exactly",
      run: ex(["40", '42["message","héllo €𝄞 😀 てすと"]'], { frames: 3 }),
      expect: { frames: [...JOINED, '42["message-back","héllo €𝄞 😀 てすと"]'], closed: false },
    },
    {
      name: 'event name as number: 42[1,"a"] is accepted (no handler, no answer)',
      run: ex(["40", '42[1,"a"]', '42["message","after"]'], { frames: 3 }),
      expect: { frames: [...JOINED, '42["message-back","after"]'], closed: false },
    },
    {
      name: "string escapes and \\u sequences (compared as parsed JSON)",
      run: parsedEcho('42["message","\\u00e9\\u0000\\n\\t\\"\\\\\\/\\u2028\\ud83d\\ude00",""]'),
      expect: { parsed: ["message-back", 'é\u0000\n\t"\\/\u2028😀', ""], closed: false },
    },
    {
      name: "number spellings (compared as parsed JSON)",
      run: parsedEcho('42["message",1.0,1e2,-5E-1,0.1,1.5e300,123456789012,-0]'),
      expect: { parsed: ["message-back", 1, 100, -0.5, 0.1, 1.5e300, 123456789012, 0], closed: false },
    },
    {
      name: "lone surrogate escape in a string (compared as parsed JSON)",
      run: parsedEcho('42["message","a\\ud800b"]'),
      expect: { parsed: ["message-back", "a\ud800b"], closed: false },
    },
    {
      name: '421["message-with-ack",2] -> 431[2]',
      run: ex(["40", '421["message-with-ack",2]'], { frames: 3 }),
      expect: { frames: [...JOINED, "431[2]"], closed: false },
    },
    {
      name: "ack ids are echoed as sent (large id, /custom)",
      run: ex(["40/custom,", '42/custom,987654["message-with-ack","x",{"y":1}]'], { frames: 3 }),
      expect: {
        frames: ['40/custom,{"sid":"<sid>"}', '42/custom,["auth",{}]', '43/custom,987654["x",{"y":1}]'],
        closed: false,
      },
    },
    {
      // Node numbers the server's ack ids per namespace, which tells a client how many acks
      // the server asked of the others; sio-cpp counts per socket.
      // sio-cpp counts per socket, from a random start below 2^30.
      name: "server ack ids: a socket asks twice, then another once",
      run: serverAckIds,
      expect: { sameSocket: 1, otherSocket: "counts on", below2p30: true },
      cppExpect: { sameSocket: 1, otherSocket: "own count", below2p30: true },
    },
    {
      name: "message-with-ack without args: 43N[]",
      run: ex(["40", '427["message-with-ack"]'], { frames: 3 }),
      expect: { frames: [...JOINED, "437[]"], closed: false },
    },
    {
      name: "binary event: 451-[...placeholder] + binary frame -> same",
      run: ex(["40", '451-["message",{"_placeholder":true,"num":0}]', Buffer.from([1, 2, 3, 0xff])], { frames: 4 }),
      expect: {
        frames: [...JOINED, '451-["message-back",{"_placeholder":true,"num":0}]', "<bin 010203ff>"],
        closed: false,
      },
    },
    {
      name: "binary event with two attachments, nested",
      run: ex(
        [
          "40",
          '452-["message",{"a":{"_placeholder":true,"num":1},"b":[{"_placeholder":true,"num":0}]},"t"]',
          Buffer.from([0xaa]),
          Buffer.from([0xbb, 0xcc]),
        ],
        { frames: 5 },
      ),
      // the server numbers the attachments in its own traversal order
      expect: {
        frames: [
          ...JOINED,
          '452-["message-back",{"a":{"_placeholder":true,"num":0},"b":[{"_placeholder":true,"num":1}]},"t"]',
          "<bin bbcc>",
          "<bin aa>",
        ],
        closed: false,
      },
    },
    {
      name: "binary event with an ack -> 461-N[placeholder] + binary",
      run: ex(["40", '451-5["message-with-ack",{"_placeholder":true,"num":0}]', Buffer.from([7, 7])], { frames: 4 }),
      expect: {
        frames: [...JOINED, '461-5[{"_placeholder":true,"num":0}]', "<bin 0707>"],
        closed: false,
      },
    },
    {
      name: "emit-with-ack: server asks with an id, client acks 43id[...], server emits the ack args",
      run: async (s) => {
        const w = await openSioWs(s);
        try {
          w.send("40");
          await w.next();
          await w.next();
          w.send('42["emit-with-ack",1,{"two":2}]');
          const ask = await w.next();
          const id = /^42(\d+)\[/.exec(ask)?.[1];
          if (id !== undefined) w.send(`43${id}["r",2]`);
          const final = await w.next().catch((e) => `<${e.message}>`);
          // a binary ack too
          w.send('42["emit-with-ack","b"]');
          const ask2 = await w.next();
          const id2 = /^42(\d+)\[/.exec(ask2)?.[1];
          if (id2 !== undefined) {
            w.send(`461-${id2}[{"_placeholder":true,"num":0}]`);
            w.send(Buffer.from([5, 6]));
          }
          const final2 = await w.next().catch((e) => `<${e.message}>`);
          const bin2 = await w.next().catch((e) => `<${e.message}>`);
          return { ask: normFrame(ask), final, ask2: normFrame(ask2), final2, bin2: normFrame(bin2) };
        } finally {
          w.close();
        }
      },
      expect: {
        ask: '42<id>["emit-with-ack",1,{"two":2}]',
        final: '42["emit-with-ack","r",2]',
        ask2: '42<id>["emit-with-ack","b"]',
        final2: '451-["emit-with-ack",{"_placeholder":true,"num":0}]',
        bin2: "<bin 0506>",
      },
    },
    {
      name: "ack for an unknown id is ignored",
      run: ex(["40", "43999[1]", '42["message","after"]'], { frames: 3 }),
      expect: { frames: [...JOINED, '42["message-back","after"]'], closed: false },
    },
    violation("malformed: 4x (unknown packet type)", "4x"),
    violation("malformed: bare 4 (empty socket.io packet)", "4"),
    violation('malformed: 42{"a":1} (event payload not an array)', '42{"a":1}'),
    violation("malformed: 42[] (no event name)", "42[]"),
    violation('malformed: 42["connect"] (reserved event name)', '42["connect"]'),
    violation('malformed: 42["disconnecting"] (reserved event name)', '42["disconnecting"]'),
    violation('malformed: 42["message" (truncated JSON)', '42["message"'),
    violation("malformed: 43abc (ack payload not JSON)", "43abc"),
    violation("malformed: 452-[\"message\"] followed by a text packet", '452-["message"]', '42["message","x"]'),
    violation(
      "malformed: placeholder num out of range",
      '451-["message",{"_placeholder":true,"num":5}]',
      Buffer.from([1]),
    ),
    violation("malformed: binary frame without a binary packet", Buffer.from([1, 2])),
    violation('malformed: 40"abc" (auth not an object) after joining', '40/custom,"abc"'),
    violation("44 (CONNECT_ERROR) from the client", '44{"message":"x"}'),
    violation("second 40 on the same namespace", "40"),
    violation('event for a namespace not joined: 42/custom,["message"]', '42/custom,["message"]'),
    {
      name: 'malformed before any namespace: 40"abc"',
      run: ex(['40"abc"'], { closeWithin: 1500 }),
      expect: { frames: [], closed: CLOSE },
    },
    {
      name: "Engine.IO parse error: text frame 'hello'",
      run: ex(["40", "hello"], { frames: 2, closeWithin: 1500 }),
      expect: { frames: JOINED, closed: CLOSE },
    },
    {
      // the pause: Node handles the 41 on the next tick, an event right
      // behind it would still reach the socket
      name: "41 leaves /: the connection stays open, a later event on / closes it",
      run: async (s) => {
        const stay = await exchange(s, ["40", "41"], { frames: 2, closeWithin: 500 });
        const later = await exchange(s, ["40", "41", { wait: 100 }, '42["message",1]'], { frames: 2, closeWithin: 1500 });
        return { stay, later };
      },
      expect: {
        stay: { frames: JOINED, closed: false },
        later: { frames: JOINED, closed: CLOSE },
      },
    },
    {
      name: "41 for a namespace never joined",
      run: ex(["41/custom,"], { closeWithin: 1500 }),
      expect: { frames: [], closed: CLOSE },
    },
    {
      name: "40/nope, -> 44/nope,{Invalid namespace}, closed by connectTimeout (~1 s)",
      run: async (s) => {
        const w = await openSioWs(s);
        try {
          const t0 = Date.now();
          w.send("40/nope,");
          const refused = await w.next();
          const early = await closesWithin(w, 500);
          const late = early || (await closesWithin(w, 1500));
          return {
            refused,
            closedBefore500ms: early,
            closed: late ? (await w.closed).code : false,
            closedAfter700ms: late && (await w.closed).at - t0 >= 700,
          };
        } finally {
          w.close();
        }
      },
      expect: {
        refused: '44/nope,{"message":"Invalid namespace"}',
        closedBefore500ms: false,
        closed: CLOSE,
        closedAfter700ms: true,
      },
      timeout: 20_000,
    },
    {
      name: "40/nope, after joining /: refused, / still works",
      run: ex(["40", "40/nope,", '42["message","ok"]'], { frames: 4, closeWithin: 1200 }),
      expect: {
        frames: [...JOINED, '44/nope,{"message":"Invalid namespace"}', '42["message-back","ok"]'],
        closed: false,
      },
    },
    {
      name: "no CONNECT at all: closed by connectTimeout (~1 s), nothing sent",
      run: async (s) => {
        const w = await openSioWs(s);
        try {
          const early = await closesWithin(w, 600);
          const late = early || (await closesWithin(w, 1500));
          return { frames: w.frames.map(normFrame), closedBefore600ms: early, closed: late ? (await w.closed).code : false };
        } finally {
          w.close();
        }
      },
      expect: { frames: [], closedBefore600ms: false, closed: CLOSE },
    },
    {
      name: "JSON nested 400 levels deep is echoed",
      run: deepEvent(400),
      expect: { reply: "identical echo", closed: false, serverStillServes: true },
    },
    {
      name: "JSON nested 2000 levels deep in an event",
      run: deepEvent(2000),
      expect: { reply: "identical echo", closed: false, serverStillServes: true },
      // deeper than sio-cpp's 512-level limit: refused with a clean close
      // (the close Node gives any other malformed packet), and the server
      // keeps serving new clients
      cppExpect: { reply: null, closed: CLOSE, serverStillServes: true },
    },
    ...EIO3_CASES,
  ],
  { node: SIO_NODE_TARGET, cpps: SIO_CPP_TARGETS },
);

// Sanity check of the helper itself (no server): ids and sids are masked.
assert.equal(normFrame('42/custom,12["x"]'), '42/custom,<id>["x"]');
assert.equal(normFrame('451-3["x"]'), '451-<id>["x"]');
assert.equal(normFrame('40{"sid":"aaaaaaaaaaaaaaaaaaaa"}'), CONNECTED);
