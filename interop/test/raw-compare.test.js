// Raw HTTP / WebSocket requests, errors and edge cases: the C++ server must
// answer like the Node twin (status, media type, JSON body; plus the session
// state afterwards where it matters). `expect` records what Node's engine.io
// 6.6 does.
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { sleep } from "../lib/time.js";
import { request, eioPath, handshake, poll, post, openWs, rawExchange, rawUpgrade } from "../lib/raw.js";
import { compareCases, obs, eioError, handshakeShape, wsRejected } from "../lib/compare.js";

const UNKNOWN_SID = eioError(1);
const BAD_REQUEST = eioError(3);
const EMPTY_400 = { status: 400, contentType: null, text: "" };
const OK = { status: 200, contentType: "text/html", text: "ok" };
const CLOSE_PACKET = { status: 200, contentType: "text/plain", text: "1" };
const NOOP = { status: 200, contentType: "text/plain", text: "6" };

/** What ws answers to a WebSocket handshake it refuses: `text` as text/html, then a close. */
const wsRefusal = (text, status = 400) => ({
  status,
  contentType: "text/html",
  connection: "close",
  subprotocol: null,
  text,
});
const WS_QUERY = { EIO: "4", transport: "websocket" };
const upgradeWith = (headers, query = WS_QUERY) => (s) => rawUpgrade(s, query, { headers });

const get = (query) => (server) => request(server, { path: eioPath(query) }).then(obs);

/** A POST for `sid` that announces 10 bytes of body and sends 2: its body is still arriving. */
async function startSlowPost(server, sid) {
  const sock = net.connect(server.port, "127.0.0.1");
  await once(sock, "connect");
  sock.on("error", () => {});
  const path = eioPath({ EIO: "4", transport: "polling", sid });
  sock.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\n` +
      "Content-Length: 10\r\n\r\n4a",
  );
  await sleep(50);
  return sock;
}

/** A session with one GET parked on it. */
async function parkedSession(server) {
  const { sid } = await handshake(server);
  const parked = poll(server, sid);
  await sleep(50); // let the GET reach the server and park
  return { sid, parked };
}

/** POSTs `body` while a GET is parked; what happens to the POST, the parked GET and the session. */
function postOnParked(body, headers) {
  return async (server) => {
    const { sid, parked } = await parkedSession(server);
    const res = await post(server, sid, body, { headers });
    return {
      post: obs(res),
      parked: obs(await parked),
      after: obs(await poll(server, sid)),
    };
  };
}

/** A raw polling session upgraded to WebSocket; resolves once the upgrade is done. */
async function upgradedSession(server) {
  const { sid } = await handshake(server);
  const w = await openWs(server, { EIO: "4", transport: "websocket", sid });
  w.send("2probe");
  assert.equal(await w.next(), "3probe");
  w.send("5");
  w.send("4sync"); // echoed only once the upgrade packet has been handled
  assert.equal(await w.next(), "4sync");
  return { sid, w };
}

const HANDSHAKE_V4 = {
  status: 200,
  contentType: "text/plain",
  jsonp: null,
  lengthPrefixOk: null,
  sid: "<20 chars>",
  upgrades: ["websocket"],
  pingInterval: 300,
  pingTimeout: 200,
  maxPayload: 1_000_000,
};

compareCases("raw requests, node twin vs cpp", [
  {
    name: "polling handshake (EIO=4)",
    run: async (s) => handshakeShape((await handshake(s)).res),
    expect: HANDSHAKE_V4,
  },
  {
    name: "polling handshake (EIO=3, --eio3): length-prefixed",
    eio3: true,
    run: async (s) => handshakeShape((await handshake(s, { eio: "3" })).res),
    expect: { ...HANDSHAKE_V4, lengthPrefixOk: true },
  },
  {
    name: "unknown transport",
    run: get({ EIO: "4", transport: "foo" }),
    expect: eioError(0),
  },
  {
    name: "missing transport",
    run: get({ EIO: "4" }),
    expect: eioError(0),
  },
  {
    name: "unknown sid, GET",
    run: get({ EIO: "4", transport: "polling", sid: "AAAAAAAAAAAAAAAAAAAA" }),
    expect: UNKNOWN_SID,
  },
  {
    name: "unknown sid, POST",
    run: async (s) => obs(await post(s, "AAAAAAAAAAAAAAAAAAAA", "4hello")),
    expect: UNKNOWN_SID,
  },
  {
    name: "handshake with POST",
    run: async (s) =>
      obs(await request(s, { method: "POST", path: eioPath({ EIO: "4", transport: "polling" }), body: "4x" })),
    expect: eioError(2),
  },
  {
    name: "OPTIONS without sid (no CORS configured)",
    run: async (s) => obs(await request(s, { method: "OPTIONS", path: eioPath({ EIO: "4", transport: "polling" }) })),
    expect: eioError(2),
  },
  {
    name: "OPTIONS on a session: 500, session unaffected",
    run: async (s) => {
      const { sid } = await handshake(s);
      const res = await request(s, {
        method: "OPTIONS",
        path: eioPath({ EIO: "4", transport: "polling", sid }),
      });
      const next = await poll(s, sid); // parks until the first ping
      return { options: obs(res), next: obs(next) };
    },
    expect: {
      options: { status: 500, contentType: null, text: "" },
      next: { status: 200, contentType: "text/plain", text: "2" },
    },
  },
  {
    name: "websocket transport over a plain GET, no sid",
    run: get({ EIO: "4", transport: "websocket" }),
    expect: BAD_REQUEST,
  },
  {
    name: "EIO missing (means v3) without --eio3",
    run: get({ transport: "polling" }),
    expect: eioError(5),
  },
  {
    name: "EIO=3 without --eio3",
    run: get({ EIO: "3", transport: "polling" }),
    expect: eioError(5),
  },
  {
    name: "EIO=5 (anything but 4 means v3) without --eio3",
    run: get({ EIO: "5", transport: "polling" }),
    expect: eioError(5),
  },
  {
    name: "EIO missing with --eio3: a v3 session (socket.io-client-swift 15 sends no EIO)",
    eio3: true,
    run: async (s) => handshakeShape(await request(s, { path: eioPath({ transport: "polling" }) })),
    expect: { ...HANDSHAKE_V4, lengthPrefixOk: true },
  },
  {
    name: "EIO=5 with --eio3: Node makes a v3 session; we answer 400 (code 5)",
    eio3: true,
    run: get({ EIO: "5", transport: "polling" }),
    cppExpect: eioError(5),
  },
  {
    name: "a v4 sid polled with EIO=3: the session's own protocol answers",
    eio3: true,
    run: async (s) => {
      const { sid } = await handshake(s);
      return obs(await poll(s, sid, { eio: "3" }));
    },
  },
  {
    name: "a v3 sid polled with EIO=4: the session's own protocol answers",
    eio3: true,
    run: async (s) => {
      const { sid } = await handshake(s, { eio: "3" });
      return obs(await poll(s, sid, { eio: "4" }));
    },
  },
  {
    name: "a WebSocket upgrade of a v4 sid with EIO=3: refused, the session lives on",
    eio3: true,
    run: async (s) => {
      const { sid } = await handshake(s);
      const upgrade = await wsRejected(s, { EIO: "3", transport: "websocket", sid });
      return { upgrade, after: obs(await post(s, sid, "4x")) };
    },
    expect: { upgrade: { session: false }, after: OK },
  },
  {
    name: "transport mismatch: polling sid, transport=websocket, no upgrade",
    run: async (s) => {
      const { sid } = await handshake(s);
      return obs(await request(s, { path: eioPath({ EIO: "4", transport: "websocket", sid }) }));
    },
    expect: BAD_REQUEST,
  },
  {
    name: "overlapping GET: 400, session closed",
    run: async (s) => {
      const { sid, parked } = await parkedSession(s);
      const second = await poll(s, sid);
      return { second: obs(second), parked: obs(await parked), after: obs(await poll(s, sid)) };
    },
    expect: { second: EMPTY_400, parked: CLOSE_PACKET, after: UNKNOWN_SID },
  },
  {
    name: "a POST while another's body is still arriving: 400, session closed",
    run: async (s) => {
      const { sid } = await handshake(s);
      const slow = await startSlowPost(s, sid);
      const second = await post(s, sid, "4b");
      const after = await poll(s, sid);
      slow.destroy();
      return { second: obs(second), after: obs(after) };
    },
    expect: { second: EMPTY_400, after: UNKNOWN_SID },
  },
  {
    name: "a POST whose connection closes before its body ends: the session is closed",
    run: async (s) => {
      const { sid } = await handshake(s);
      (await startSlowPost(s, sid)).destroy();
      await sleep(50);
      return obs(await poll(s, sid));
    },
    expect: UNKNOWN_SID,
  },
  {
    name: "POST of a close packet: ok, the parked GET gets a noop, then the session is gone",
    run: postOnParked("1"),
    expect: { post: OK, parked: NOOP, after: UNKNOWN_SID },
  },
  {
    name: "v3 POST of a close packet: ok, the parked GET gets a noop (1:6), then the session is gone",
    eio3: true,
    run: async (s) => {
      const { sid } = await handshake(s, { eio: "3" });
      const parked = poll(s, sid, { eio: "3" });
      await sleep(50);
      const res = await post(s, sid, "1:1", { eio: "3" });
      return { post: obs(res), parked: obs(await parked), after: obs(await poll(s, sid, { eio: "3" })) };
    },
    expect: { post: OK, parked: { status: 200, contentType: "text/plain", text: "1:6" }, after: UNKNOWN_SID },
  },
  {
    name: "malformed POST payload: ok, then session closed",
    run: postOnParked("xyz"),
    expect: { post: OK, parked: CLOSE_PACKET, after: UNKNOWN_SID },
  },
  {
    name: "POST with an unknown packet type: ok, then session closed",
    run: postOnParked("9abc"),
    expect: { post: OK, parked: CLOSE_PACKET, after: UNKNOWN_SID },
  },
  {
    name: "POST with an empty body: ok, then session closed",
    run: postOnParked(""),
    expect: { post: OK, parked: CLOSE_PACKET, after: UNKNOWN_SID },
  },
  {
    name: "POST application/octet-stream in v4: 400, session closed",
    run: postOnParked(Buffer.from([4, 1, 2, 3]), { "content-type": "application/octet-stream" }),
    expect: { post: EMPTY_400, parked: CLOSE_PACKET, after: UNKNOWN_SID },
  },
  {
    name: "POST with three packets (text, binary, unicode): all echoed, in order",
    run: async (s) => {
      const { sid, parked } = await parkedSession(s);
      const res = await post(s, sid, "4one\x1ebAQID\x1e4hé𝄞");
      // the echoes may be split over several polls: gather the packets
      const split = (r) => r.text.split("\x1e").filter((p) => p !== "2"); // pings aside
      const packets = split(await parked);
      while (packets.length < 3) packets.push(...split(await poll(s, sid)));
      return { post: obs(res), packets };
    },
    expect: { post: OK, packets: ["4one", "bAQID", "4hé𝄞"] },
  },
  {
    name: "v3 text payload, lengths in UTF-16 units (astral chars count 2)",
    eio3: true,
    run: async (s) => {
      const { sid } = await handshake(s, { eio: "3" });
      const res = await post(s, sid, "5:4𝄞😀2:4x", { eio: "3" });
      return { post: obs(res), get: obs(await poll(s, sid, { eio: "3" })) };
    },
    expect: {
      post: OK,
      get: { status: 200, contentType: "text/plain", text: "5:4𝄞😀2:4x" },
    },
  },
  {
    name: "v3 binary payload (octet-stream POST, binary GET)",
    eio3: true,
    run: async (s) => {
      const { sid } = await handshake(s, { eio: "3" });
      // <0 string|1 binary><length digits as bytes><0xff><packet>
      const payload = Buffer.from([1, 4, 0xff, 4, 1, 2, 3, 0, 3, 0xff, 0x34, 0x61, 0x62]);
      const res = await post(s, sid, payload, {
        eio: "3",
        headers: { "content-type": "application/octet-stream" },
      });
      const got = await poll(s, sid, { eio: "3" });
      return { post: obs(res), get: { status: got.status, contentType: got.contentType, hex: got.body.toString("hex") } };
    },
    expect: {
      post: OK,
      get: { status: 200, contentType: "application/octet-stream", hex: "0104ff0401020300" + "03ff346162" },
    },
  },
  {
    name: "v3 session with b64=1: binary goes base64 as b4...",
    eio3: true,
    run: async (s) => {
      const { sid } = await handshake(s, { eio: "3", extra: { b64: "1" } });
      const res = await post(s, sid, "6:b4AQID", { eio: "3" });
      return { post: obs(res), get: obs(await poll(s, sid, { eio: "3" })) };
    },
    expect: { post: OK, get: { status: 200, contentType: "text/plain", text: "6:b4AQID" } },
  },
  {
    name: "v3 b64=1 POST with invalid base64: Node delivers what it could decode, we close",
    eio3: true,
    run: async (s) => {
      const b64 = { eio: "3", extra: { b64: "1" } };
      const { sid } = await handshake(s, b64);
      const parked = poll(s, sid, b64);
      await sleep(50);
      const res = await post(s, sid, "6:b4!!!!", b64);
      return { post: obs(res), parked: obs(await parked), after: obs(await poll(s, sid, b64)) };
    },
    expect: {
      post: OK,
      parked: { status: 200, contentType: "text/plain", text: "2:b4" },
      after: { status: 200, contentType: "text/plain", text: "1:1" },
    },
    cppExpect: {
      post: OK,
      parked: { status: 200, contentType: "text/plain", text: "1:1" },
      after: UNKNOWN_SID,
    },
  },
  {
    name: "v4 POST with invalid base64: Node delivers an empty message, we close",
    run: postOnParked("b!!!!"),
    expect: { post: OK, parked: { status: 200, contentType: "text/plain", text: "b" }, after: { status: 200, contentType: "text/plain", text: "2" } },
    cppExpect: { post: OK, parked: CLOSE_PACKET, after: UNKNOWN_SID },
  },
  {
    name: "v3 payload with a wrong length: ok, then session closed",
    eio3: true,
    run: async (s) => {
      const { sid } = await handshake(s, { eio: "3" });
      const res = await post(s, sid, "9:4hello", { eio: "3" });
      return { post: obs(res), after: obs(await poll(s, sid, { eio: "3" })) };
    },
    expect: { post: OK, after: UNKNOWN_SID },
  },
  {
    name: "GET outside /engine.io/: 404",
    run: async (s) => ({ status: (await request(s, { path: "/foo" })).status }),
    expect: { status: 404 },
  },
  {
    name: "request with a 64 KB header: 431",
    run: async (s) => {
      // raw TCP: the server may reset the connection right after its answer
      const head =
        `GET ${eioPath({ EIO: "4", transport: "polling" })} HTTP/1.1\r\n` +
        `Host: 127.0.0.1\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`;
      return { status: (await rawExchange(s, head)).status };
    },
    expect: { status: 431 },
  },
  {
    name: "websocket upgrade with an unknown sid: HTTP 400",
    run: async (s) => {
      const e = await openWs(s, { EIO: "4", transport: "websocket", sid: "AAAAAAAAAAAAAAAAAAAA" }).then(
        () => assert.fail("upgrade accepted"),
        (err) => err,
      );
      return obs(e);
    },
    expect: { status: 400, contentType: "text/html", text: "Session ID unknown" },
  },
  {
    name: "websocket upgrade with an unknown transport: HTTP 400",
    run: async (s) => {
      const e = await openWs(s, { EIO: "4", transport: "foo" }).then(
        () => assert.fail("upgrade accepted"),
        (err) => err,
      );
      return obs(e);
    },
    expect: { status: 400, contentType: "text/html", text: "Transport unknown" },
  },
  {
    name: "websocket handshake with EIO=3 without --eio3: no session",
    run: (s) => wsRejected(s, { EIO: "3", transport: "websocket" }),
    expect: { session: false },
  },
  {
    name: "websocket handshake without Sec-WebSocket-Key",
    run: upgradeWith({ "Sec-WebSocket-Key": undefined }),
    expect: wsRefusal("Missing or invalid Sec-WebSocket-Key header"),
  },
  {
    name: "websocket handshake with a key that is not 16 bytes of base64",
    run: upgradeWith({ "Sec-WebSocket-Key": "abc" }),
    expect: wsRefusal("Missing or invalid Sec-WebSocket-Key header"),
  },
  {
    name: "websocket handshake without Sec-WebSocket-Version",
    run: upgradeWith({ "Sec-WebSocket-Version": undefined }),
    expect: wsRefusal("Missing or invalid Sec-WebSocket-Version header"),
  },
  {
    name: "websocket handshake with Sec-WebSocket-Version 12",
    run: upgradeWith({ "Sec-WebSocket-Version": "12" }),
    expect: wsRefusal("Missing or invalid Sec-WebSocket-Version header"),
  },
  {
    name: "upgrade to something else than websocket",
    run: upgradeWith({ Upgrade: "h2c" }),
    expect: wsRefusal("Invalid Upgrade header"),
  },
  {
    name: "websocket handshake with a malformed subprotocol list",
    run: upgradeWith({ "Sec-WebSocket-Protocol": "chat,,x" }),
    expect: wsRefusal("Invalid Sec-WebSocket-Protocol header"),
  },
  {
    name: "websocket handshake with a repeated subprotocol",
    run: upgradeWith({ "Sec-WebSocket-Protocol": "chat, chat" }),
    expect: wsRefusal("Invalid Sec-WebSocket-Protocol header"),
  },
  {
    name: "websocket handshake offering subprotocols: the first is taken",
    run: upgradeWith({ "Sec-WebSocket-Protocol": "chat, superchat" }),
    expect: { status: 101, contentType: null, connection: "upgrade", subprotocol: "chat", text: null },
  },
  {
    name: "websocket handshake with POST and no sid: bad handshake method",
    run: (s) => rawUpgrade(s, WS_QUERY, { method: "POST" }),
    expect: wsRefusal("Bad handshake method"),
  },
  {
    name: "websocket upgrade of a sid with POST: 405",
    run: async (s) => {
      const { sid } = await handshake(s);
      return rawUpgrade(s, { ...WS_QUERY, sid }, { method: "POST" });
    },
    expect: wsRefusal("Invalid HTTP method", 405),
  },
  {
    name: "websocket handshake with EIO=9: Node switches protocols, then writes a 400; we refuse",
    run: upgradeWith({}, { EIO: "9", transport: "websocket" }),
    expect: { status: 101, contentType: null, connection: "upgrade", subprotocol: null, text: null },
    cppExpect: wsRefusal("Unsupported protocol version"),
  },
  {
    name: "second websocket for an already upgraded sid: rejected, first one unaffected",
    run: async (s) => {
      const { sid, w } = await upgradedSession(s);
      const second = await wsRejected(s, { EIO: "4", transport: "websocket", sid });
      w.send("4still");
      const first = await w.next();
      w.ws.close();
      return { second, first };
    },
    expect: { second: { session: false }, first: "4still" },
  },
  {
    name: "a poll parked when a WebSocket upgrade starts: answered at once with a noop",
    run: async (s) => {
      const { sid, parked } = await parkedSession(s);
      const w = await openWs(s, { EIO: "4", transport: "websocket", sid });
      const answer = obs(await parked); // Node: held until its next ping
      w.ws.close();
      return answer;
    },
    expect: { status: 200, contentType: "text/plain", text: "2" },
    cppExpect: NOOP,
  },
  {
    name: "polling while a WebSocket upgrade is under way: noops, and the echo waits for the WebSocket",
    run: async (s) => {
      const { sid } = await handshake(s);
      const w = await openWs(s, { EIO: "4", transport: "websocket", sid });
      const during = (await poll(s, sid)).text; // Node: held until its next ping
      if (during === "2") await post(s, sid, "3");
      await post(s, sid, "4hello");
      const next = (await poll(s, sid)).text;
      w.send("2probe");
      assert.equal(await w.next(), "3probe");
      w.send("5");
      w.send("4sync"); // echoed once the upgrade packet has been handled
      const frames = [];
      for (let f = await w.next(); f !== "4sync"; f = await w.next()) if (f !== "2") frames.push(f);
      w.ws.close();
      return { during, next, frames };
    },
    expect: { during: "2", next: "4hello", frames: [] },
    cppExpect: { during: "6", next: "6", frames: ["4hello"] },
  },
  {
    name: "GET and POST polling after the session upgraded to websocket: 400 Bad request",
    run: async (s) => {
      const { sid, w } = await upgradedSession(s);
      const getRes = await poll(s, sid);
      const postRes = await post(s, sid, "4x");
      w.ws.close();
      return { get: obs(getRes), post: obs(postRes) };
    },
    expect: { get: BAD_REQUEST, post: BAD_REQUEST },
  },
]);
