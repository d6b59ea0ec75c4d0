// engineio_options: each Engine.IO option, set by a flag, against the Node
// twin (engine.io 6.6 with the same options) and the C++ server with one and
// two shards. Raw cases compare observations (`expect` records Node's
// answer); client cases run engine.io-client 6.x on every target.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "engine.io-client";
import { OPTIONS_NODE_TARGET as NODE, OPTIONS_TARGETS } from "../lib/server.js";
import { describeTargets } from "../lib/fixture.js";
import { compareCases, obs, eioError, handshakeShape } from "../lib/compare.js";
import { connectV4, echo, nextMessages, upgraded, bytesOf, sleep } from "../lib/clients.js";
import { request, eioPath, handshake, poll, post, openWs, rawUpgrade } from "../lib/raw.js";
import { VARIANTS, bytes, bigText } from "../lib/payloads.js";
import {
  corsObs, cookieObs, pollEncoded, deflateObs, wsOpenShape, upgradeAttempt, METHODS,
} from "../lib/options.js";

const T = { timeout: 15_000 };
const [CPP, CPP2] = OPTIONS_TARGETS;
const V4 = { EIO: "4", transport: "polling" };
const WS = { EIO: "4", transport: "websocket" };
const HANDSHAKE = eioPath(V4);

/** compareCases on engineio_options started with `args`: node vs cpp and cpp-2. */
function compareOptions(title, args, cases) {
  compareCases(`options: ${title} [${args.join(" ")}]`, cases, { args, node: NODE, cpps: [CPP, CPP2] });
}

/** engine.io-client cases on the three targets of engineio_options. */
function describeOptions(title, args, body) {
  describeTargets(`options: ${title} [${args.join(" ")}]`, args, body, OPTIONS_TARGETS);
}

const OPEN_SHAPE = {
  sid: "<20 chars>", upgrades: ["websocket"], pingInterval: 300, pingTimeout: 200, maxPayload: 1_000_000,
};
const HANDSHAKE_SHAPE = {
  status: 200, contentType: "text/plain", jsonp: null, lengthPrefixOk: null, ...OPEN_SHAPE,
};
const NO_UPGRADES_HANDSHAKE = {
  name: "polling handshake: no upgrades",
  run: async (s) => handshakeShape((await handshake(s)).res),
  expect: { ...HANDSHAKE_SHAPE, upgrades: [] },
};

/** The HTTP answer refusing a WebSocket handshake. */
const wsRefusal = async (s, query) =>
  obs(await openWs(s, query).then(() => assert.fail("upgrade accepted"), (e) => e));

// ---------------------------------------------------------------- CORS
// With cors configured, the `cors` middleware answers every OPTIONS (204)
// before engine.io's checks run; other answers, errors and the 101 included,
// carry the headers.
const ACAO = "access-control-allow-origin";
const ACAC = "access-control-allow-credentials";
const A = "http://a.example";
const B = "http://b.example";
const C = "http://c.example";
const getFrom = (origin) => async (s) => corsObs(await request(s, { path: HANDSHAKE, headers: { origin } }));
const preflight = (origin, path = HANDSHAKE) => async (s) =>
  corsObs(
    await request(s, {
      method: "OPTIONS",
      path,
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    }),
  );
/** The preflight answer: 204, empty, the allowed methods and headers. */
const preflightOk = (headers, vary) => ({
  status: 204,
  text: "",
  headers: {
    ...headers,
    "access-control-allow-methods": METHODS,
    "access-control-allow-headers": "content-type",
    vary: [...vary, "access-control-request-headers"].sort(),
  },
});

compareOptions("cors, any origin", ["--cors-origin", "*"], [
  { name: "GET handshake with Origin", run: getFrom(A), expect: { status: 200, headers: { [ACAO]: "*" } } },
  { name: "preflight", run: preflight(A), expect: preflightOk({ [ACAO]: "*" }, []) },
]);

compareOptions("cors, one origin", ["--cors-origin", A], [
  {
    name: "GET handshake from that origin",
    run: getFrom(A),
    expect: { status: 200, headers: { [ACAO]: A, vary: ["origin"] } },
  },
  {
    name: "GET handshake from another origin: the configured origin is sent anyway",
    run: getFrom(C),
    expect: { status: 200, headers: { [ACAO]: A, vary: ["origin"] } },
  },
  { name: "preflight", run: preflight(A), expect: preflightOk({ [ACAO]: A }, ["origin"]) },
]);

compareOptions("cors, two origins", ["--cors-origin", A, "--cors-origin", B], [
  {
    name: "GET handshake from an allowed origin: reflected",
    run: getFrom(B),
    expect: { status: 200, headers: { [ACAO]: B, vary: ["origin"] } },
  },
  {
    name: "GET handshake from another origin: no Access-Control-Allow-Origin, still 200",
    run: getFrom(C),
    expect: { status: 200, headers: { vary: ["origin"] } },
  },
  { name: "preflight, allowed origin", run: preflight(A), expect: preflightOk({ [ACAO]: A }, ["origin"]) },
  {
    name: "preflight, other origin: 204 without Allow-Origin",
    run: preflight(C),
    expect: preflightOk({}, ["origin"]),
  },
]);

const CRED = { [ACAO]: A, [ACAC]: "true", vary: ["origin"] };
const VARY_BOTH = ["access-control-request-headers", "origin"];
compareOptions("cors with credentials", ["--cors-origin", A, "--cors-credentials"], [
  { name: "GET handshake", run: getFrom(A), expect: { status: 200, headers: CRED } },
  {
    name: "preflight",
    run: preflight(A),
    expect: preflightOk({ [ACAO]: A, [ACAC]: "true" }, ["origin"]),
  },
  {
    name: "preflight on a session (sid): 204 too, engine.io never sees it",
    run: async (s) => preflight(A, eioPath({ ...V4, sid: (await handshake(s)).sid }))(s),
    expect: preflightOk({ [ACAO]: A, [ACAC]: "true" }, ["origin"]),
  },
  {
    name: "OPTIONS without Origin nor request headers: 204 all the same",
    run: async (s) => corsObs(await request(s, { method: "OPTIONS", path: HANDSHAKE })),
    expect: {
      status: 204,
      text: "",
      headers: { [ACAO]: A, [ACAC]: "true", "access-control-allow-methods": METHODS, vary: VARY_BOTH },
    },
  },
  {
    name: "error answer (unknown sid) carries the CORS headers",
    run: async (s) => {
      const path = eioPath({ ...V4, sid: "AAAAAAAAAAAAAAAAAAAA" });
      const res = await request(s, { path, headers: { origin: A } });
      return { ...corsObs(res), ...obs(res) };
    },
    expect: { ...eioError(1), headers: CRED },
  },
  {
    name: "POST and GET of a session carry them",
    run: async (s) => {
      const { sid } = await handshake(s);
      const p = await post(s, sid, "4x", { headers: { origin: A } });
      const g = await request(s, { path: eioPath({ ...V4, sid }), headers: { origin: A } });
      return { post: corsObs(p), get: { ...corsObs(g), text: g.text } };
    },
    expect: { post: { status: 200, headers: CRED }, get: { status: 200, headers: CRED, text: "4x" } },
  },
  {
    name: "websocket handshake: the 101 carries them",
    run: async (s) => {
      const w = await openWs(s, WS, { headers: { origin: A } });
      w.ws.close();
      return corsObs({ status: 101, headers: w.headers });
    },
    expect: { status: 101, headers: CRED },
  },
]);

compareOptions("cors, preflight continues", ["--cors-preflight-continue"], [
  {
    name: "preflight of a handshake: the server refuses OPTIONS, with the preflight headers",
    run: async (s) => {
      const res = await preflight(A)(s);
      const raw = await request(s, { method: "OPTIONS", path: HANDSHAKE, headers: { origin: A } });
      return { status: res.status, headers: res.headers, error: obs(raw) };
    },
    expect: { status: 400, headers: preflightOk({ [ACAO]: A }, ["origin"]).headers, error: eioError(2) },
  },
  {
    name: "preflight on a session: 500 from the polling transport",
    run: async (s) => {
      const path = eioPath({ ...V4, sid: (await handshake(s)).sid });
      const res = await preflight(A, path)(s);
      return { status: res.status, headers: res.headers };
    },
    expect: { status: 500, headers: preflightOk({ [ACAO]: A }, ["origin"]).headers },
  },
]);

const withCors = (mode) => eioPath({ ...V4, cors: mode });
compareOptions("cors, per-request delegate", ["--cors-delegate"], [
  {
    name: "GET handshake from an allowed origin, answered later",
    run: async (s) => corsObs(await request(s, { path: withCors("x"), headers: { origin: B } })),
    expect: { status: 200, headers: { [ACAO]: B, [ACAC]: "true", vary: ["origin"] } },
  },
  { name: "preflight", run: preflight(A, withCors("x")), expect: preflightOk({ [ACAO]: A, [ACAC]: "true" }, ["origin"]) },
  {
    name: "the delegate fails: 400 code 3",
    run: async (s) => obs(await request(s, { path: withCors("fail"), headers: { origin: A } })),
    expect: eioError(3),
  },
  {
    name: "origin false: no CORS headers, and a preflight goes on to the server",
    run: async (s) => {
      const get = corsObs(await request(s, { path: withCors("off"), headers: { origin: A } }));
      const pre = await preflight(A, withCors("off"))(s);
      return { get, pre: { status: pre.status, headers: pre.headers } };
    },
    expect: { get: { status: 200, headers: {} }, pre: { status: 400, headers: {} } },
  },
  {
    name: "websocket handshake: the 101 carries the delegate's headers",
    run: async (s) => {
      const w = await openWs(s, { ...WS, cors: "x" }, { headers: { origin: A } });
      w.ws.close();
      return corsObs({ status: 101, headers: w.headers });
    },
    expect: { status: 101, headers: { [ACAO]: A, [ACAC]: "true", vary: ["origin"] } },
  },
]);

let idtags = 0;
const idtag = () => `t${process.pid}x${++idtags}`;
compareOptions("generate_id", ["--generate-id"], [
  {
    name: "polling: the handshake's sid is the application's, and serves the session",
    run: async (s) => {
      const tag = idtag();
      const { sid } = await handshake(s, { extra: { idtag: tag } });
      const p = await post(s, sid, "4hello");
      const g = await poll(s, sid);
      return { sid: sid === `id-${tag}`, post: p.status, echo: g.text };
    },
    expect: { sid: true, post: 200, echo: "4hello" },
  },
  {
    name: "websocket: the open packet carries it",
    run: async (s) => {
      const tag = idtag();
      const w = await openWs(s, { ...WS, idtag: tag });
      const open = JSON.parse((await w.next()).slice(1));
      w.ws.close();
      return open.sid === `id-${tag}`;
    },
    expect: true,
  },
]);

describeOptions("generate_id, client", ["--generate-id"], (server) => {
  test("engine.io-client upgrades a session whose id is the application's", T, async (t) => {
    const tag = idtag();
    const socket = await connectV4(t, server, { query: { idtag: tag } });
    await upgraded(socket);
    assert.equal(socket.id, `id-${tag}`);
    assert.equal(await echo(socket, "after upgrade"), "after upgrade");
  });
});

compareOptions("cors, credentials alone (any origin)", ["--cors-credentials"], [
  {
    name: "GET handshake",
    run: getFrom(A),
    expect: { status: 200, headers: { [ACAO]: "*", [ACAC]: "true" } },
  },
]);

// ---------------------------------------------------------------- cookie
compareOptions("cookie", ["--cookie"], [
  {
    name: "polling handshake sets io=<sid>, later requests do not",
    run: async (s) => {
      const { sid, res } = await handshake(s);
      const p = await post(s, sid, "4x");
      const g = await poll(s, sid);
      return { handshake: cookieObs(res, sid), post: cookieObs(p, sid), get: cookieObs(g, sid) };
    },
    expect: {
      handshake: { status: 200, setCookie: ["io=<sid>; Path=/; HttpOnly; SameSite=Lax"] },
      post: { status: 200, setCookie: null },
      get: { status: 200, setCookie: null },
    },
  },
  {
    // engine.io 6.6 sets the cookie from the transport's "headers" event,
    // which its WebSocket transport never emits: no cookie on the 101.
    // sio-cpp sends it, so sticky-session proxies work for WebSocket-only clients.
    name: "websocket handshake: Set-Cookie on the 101 (Node forgets it)",
    run: async (s) => {
      const w = await openWs(s, WS);
      const { sid } = JSON.parse((await w.next()).slice(1));
      w.ws.close();
      return cookieObs({ status: 101, headers: w.headers }, sid);
    },
    expect: { status: 101, setCookie: null },
    cppExpect: { status: 101, setCookie: ["io=<sid>; Path=/; HttpOnly; SameSite=Lax"] },
  },
  {
    name: "websocket upgrade of a polling session: no Set-Cookie",
    run: async (s) => {
      const { sid } = await handshake(s);
      const w = await openWs(s, { ...WS, sid });
      w.ws.close();
      return cookieObs({ status: 101, headers: w.headers }, sid);
    },
    expect: { status: 101, setCookie: null },
  },
]);

compareOptions("cookie with every attribute", ["--cookie-attributes"], [
  {
    name: "polling handshake: the attributes in the cookie package's order",
    run: async (s) => {
      const { sid, res } = await handshake(s);
      return cookieObs(res, sid);
    },
    expect: {
      status: 200,
      setCookie: [
        "io=<sid>; Max-Age=60; Domain=example.com; Path=/; Expires=Tue, 14 Nov 2023 22:13:20 GMT; " +
          "HttpOnly; Secure; Partitioned; Priority=High; SameSite=None",
      ],
    },
  },
]);

// ---------------------------------------------------------------- allowRequest
compareOptions("allowRequest", ["--deny-param"], [
  {
    name: "polling handshake with deny=1: 403 with the hook's message",
    run: async (s) => obs(await request(s, { path: eioPath({ ...V4, deny: "1" }) })),
    expect: { status: 403, contentType: "application/json", json: { code: 4, message: "denied by test" } },
  },
  {
    name: "polling handshake with deny=0: allowed",
    run: async (s) => handshakeShape(await request(s, { path: eioPath({ ...V4, deny: "0" }) })),
    expect: HANDSHAKE_SHAPE,
  },
  {
    name: "websocket handshake with deny=1: HTTP 400, the message as text",
    run: (s) => wsRefusal(s, { ...WS, deny: "1" }),
    expect: { status: 400, contentType: "text/html", text: "denied by test" },
  },
  {
    name: "websocket handshake without deny: allowed",
    run: async (s) => {
      const w = await openWs(s, WS);
      const open = wsOpenShape(await w.next());
      w.ws.close();
      return open;
    },
    expect: { ...OPEN_SHAPE, upgrades: [] },
  },
  {
    name: "requests with a sid are not checked: POST and GET with deny=1",
    run: async (s) => {
      const { sid } = await handshake(s);
      const p = await post(s, sid, "4x", { extra: { deny: "1" } });
      const g = await poll(s, sid, { extra: { deny: "1" } });
      return { post: obs(p), get: obs(g) };
    },
    expect: {
      post: { status: 200, contentType: "text/html", text: "ok" },
      get: { status: 200, contentType: "text/plain", text: "4x" },
    },
  },
  {
    name: "websocket upgrade of a session with deny=1: not checked",
    run: (s) => upgradeAttempt(s, { deny: "1" }),
    expect: { probe: "3probe", echo: "4sync", pollAfter: eioError(3) },
  },
]);

describeOptions("allowRequest, client", ["--deny-param"], (server) => {
  for (const variant of VARIANTS) {
    test(`${variant.name}: allowed client echoes`, T, async (t) => {
      const socket = await connectV4(t, server, { ...variant.opts, query: { deny: "0" } });
      if (variant.upgrade) await upgraded(socket);
      assert.equal(socket.transport.name, variant.final);
      assert.equal(await echo(socket, "allowed"), "allowed");
    });
    test(`${variant.name}: denied client gets an error`, T, async (t) => {
      await assert.rejects(connectV4(t, server, { ...variant.opts, query: { deny: "1" } }));
    });
  }
});

// ---------------------------------------------------------------- initialPacket
const INIT = "welcome é😀";
const packets = (text) => text.split("\x1e").map((p) => (p.startsWith("0{") ? "<open>" : p));

compareOptions("initialPacket", ["--initial-packet", INIT], [
  {
    // engine.io queues it right after the open packet: same answer
    name: "polling handshake answer: open packet, then 4TEXT",
    run: async (s) => {
      const { res } = await handshake(s);
      return { status: res.status, packets: packets(res.text) };
    },
    expect: { status: 200, packets: ["<open>", `4${INIT}`] },
  },
  {
    name: "websocket: open frame, then 4TEXT",
    run: async (s) => {
      const w = await openWs(s, WS);
      const frames = [await w.next(), await w.next()];
      w.ws.close();
      return packets(frames.join("\x1e"));
    },
    expect: ["<open>", `4${INIT}`],
  },
]);

describeOptions("initialPacket, client", ["--initial-packet", INIT], (server) => {
  for (const variant of VARIANTS) {
    test(`${variant.name}: first message is the initial packet`, T, async (t) => {
      // listen before 'open': the message may come with the handshake
      const socket = new Socket(`http://127.0.0.1:${server.port}`, variant.opts);
      t.after(() => socket.close());
      const [first] = await nextMessages(socket, 1);
      assert.equal(first, INIT);
      if (variant.upgrade) await upgraded(socket);
      assert.equal(await echo(socket, "next"), "next");
    });
  }
});

// ---------------------------------------------------------------- engine middlewares (engine.use)
// --middlewares: X-Middleware on every answer; then, 10 ms later, mw=fail refuses, mw=401 answers.
const withMw = (r) => ({ ...obs(r), middleware: r.headers["x-middleware"] ?? null });
compareOptions("engine middlewares", ["--middlewares"], [
  {
    name: "polling: go on, fail (400 code 3), answer 401 themselves; the session goes on",
    run: async (s) => {
      const { sid, res } = await handshake(s);
      const failed = await request(s, { path: eioPath({ ...V4, mw: "fail" }) });
      const answered = await request(s, { path: eioPath({ ...V4, mw: "401" }) });
      const refusedPoll = await poll(s, sid, { extra: { mw: "fail" } });
      const posted = await post(s, sid, "4after");
      const echoed = await poll(s, sid);
      return {
        handshake: { status: res.status, middleware: res.headers["x-middleware"] ?? null },
        failed: withMw(failed),
        answered: withMw(answered),
        refusedPoll: withMw(refusedPoll),
        sessionGoesOn: { post: posted.status, echo: echoed.text },
      };
    },
    expect: {
      handshake: { status: 200, middleware: "1" },
      failed: { ...eioError(3), middleware: "1" },
      answered: { status: 401, contentType: "text/plain", text: "no entry", middleware: "1" },
      refusedPoll: { ...eioError(3), middleware: "1" },
      sessionGoesOn: { post: 200, echo: "4after" },
    },
  },
  {
    name: "websocket: the header in the 101; a failed upgrade gets engine.io's 400",
    run: async (s) => {
      const w = await openWs(s, WS);
      w.ws.close();
      const { sid } = await handshake(s);
      const u = await openWs(s, { ...WS, sid });
      u.ws.close();
      return {
        handshake: w.headers["x-middleware"] ?? null,
        upgrade: u.headers["x-middleware"] ?? null,
        failed: await rawUpgrade(s, { ...WS, mw: "fail" }),
      };
    },
    expect: {
      handshake: "1",
      upgrade: "1",
      failed: { status: 400, contentType: "text/html", connection: "close", subprotocol: null, text: "Bad request" },
    },
  },
  {
    // Node's upgrade response object cannot write a status: ending it destroys the socket.
    // sio-cpp sends the middleware's answer, then closes.
    name: "websocket: a middleware answering the upgrade itself",
    run: async (s) => {
      const r = await rawUpgrade(s, { ...WS, mw: "401" });
      return { status: Number.isNaN(r.status) ? "no answer" : r.status, text: r.text };
    },
    expect: { status: "no answer", text: "" },
    cppExpect: { status: 401, text: "no entry" },
  },
]);

// ---------------------------------------------------------------- initial_headers / headers events
// The listeners of --headers: X-Initial on a handshake, X-Transport on every answer that reaches
// a session (an error answer hears of neither).
const added = (headers) => ({ initial: headers["x-initial"] ?? null, transport: headers["x-transport"] ?? null });
compareOptions("initial_headers and headers events", ["--headers"], [
  {
    name: "polling: the handshake, a poll and a POST of the session, an unknown sid",
    run: async (s) => {
      const { sid, res } = await handshake(s);
      const posted = await post(s, sid, "4hi");
      const polled = await poll(s, sid);
      const unknown = await poll(s, "AAAAAAAAAAAAAAAAAAAA");
      return [res, posted, polled, unknown].map((r) => ({ status: r.status, ...added(r.headers) }));
    },
    expect: [
      { status: 200, initial: "1", transport: "polling" },
      { status: 200, initial: null, transport: "polling" },
      { status: 200, initial: null, transport: "polling" },
      { status: 400, initial: null, transport: null },
    ],
  },
  {
    name: "websocket: the 101 of a handshake and of an upgrade",
    run: async (s) => {
      const direct = await openWs(s, WS);
      direct.ws.close();
      const { sid } = await handshake(s);
      const upgrade = await openWs(s, { ...WS, sid });
      upgrade.ws.close();
      return [added(direct.headers), added(upgrade.headers)];
    },
    expect: [
      { initial: "1", transport: "websocket" },
      { initial: null, transport: "websocket" },
    ],
  },
]);

// ---------------------------------------------------------------- httpCompression
// Threshold 1024 bytes: a 2001-byte poll answer is compressed, "4small" not.
const encodings = (args, cases) =>
  compareOptions("httpCompression", args, cases.map(([acceptEncoding, expect]) => ({
    name: `Accept-Encoding: ${acceptEncoding ?? "(none)"}`,
    run: async (s) => ({
      large: await pollEncoded(s, 2000, acceptEncoding),
      small: await pollEncoded(s, 5, acceptEncoding),
    }),
    expect: { large: { status: 200, contentType: "text/plain", encoding: expect, payloadOk: true },
      small: { status: 200, contentType: "text/plain", encoding: null, payloadOk: true } },
  })));

encodings([], [
  ["gzip", "gzip"],
  ["deflate", "deflate"],
  ["gzip, deflate", "gzip"],
  ["deflate;q=0.5, gzip", "gzip"],
  ["br", null],
  ["identity", null],
  [undefined, null],
]);
encodings(["--no-compression"], [["gzip", null], ["deflate", null]]);

compareOptions("httpCompression threshold", [], [
  {
    name: "answer of 1024 bytes is compressed, 1023 bytes is not",
    run: async (s) => ({
      at: (await pollEncoded(s, 1023, "gzip")).encoding,
      below: (await pollEncoded(s, 1022, "gzip")).encoding,
    }),
    expect: { at: "gzip", below: null },
  },
]);

// ---------------------------------------------------------------- perMessageDeflate
// `compressed`: the echo took fewer bytes on the wire than half its length.
// ws applies perMessageDeflate.threshold only with no_context_takeover, which
// a default offer does not negotiate: Node compresses the 500 B echo too.
compareOptions("perMessageDeflate", ["--deflate"], [
  {
    name: "raw ws offering permessage-deflate: negotiated, 10 KB and 500 B echoes compressed",
    run: (s) => deflateObs(s),
    expect: {
      extension: "permessage-deflate",
      small: { ok: true, compressed: true },
      large: { ok: true, compressed: true },
    },
    // sio-cpp (Beast) honours the 1024-byte threshold whatever was negotiated; clients see
    // the same messages either way.
    cppExpect: {
      extension: "permessage-deflate",
      small: { ok: true, compressed: false },
      large: { ok: true, compressed: true },
    },
  },
]);
/** A WebSocket echoes `text`: the permessage-deflate parameters of its 101 (sorted), and whether
 * the echo came back intact. */
async function deflateEcho(s, text) {
  const w = await openWs(s, WS);
  await w.next(); // the open packet
  w.send(`4${text}`);
  const echo = await w.next();
  w.ws.close();
  const params = (w.headers["sec-websocket-extensions"] ?? "").split(";").map((p) => p.trim()).sort();
  return { params, echoed: echo === `4${text}` };
}

// Context takeover off on both sides: the 101 says so (its parameters compared as a set), and
// messages still go both ways.
compareOptions("perMessageDeflate without context takeover", ["--deflate-no-context"], [
  {
    name: "negotiated without context takeover; 10 KB echoes intact",
    run: (s) => deflateEcho(s, "x".repeat(10_000)),
    expect: {
      params: ["client_no_context_takeover", "permessage-deflate", "server_no_context_takeover"],
      echoed: true,
    },
  },
]);

// ws checks the offers when it may negotiate: a malformed header or an unusable
// permessage-deflate parameter refuses the handshake.
const extensionRefusal = {
  status: 400,
  contentType: "text/html",
  connection: "close",
  subprotocol: null,
  text: "Invalid or unacceptable Sec-WebSocket-Extensions header",
};
const offer = (extensions) => (s) =>
  rawUpgrade(s, { EIO: "4", transport: "websocket" }, { headers: { "Sec-WebSocket-Extensions": extensions } });
compareOptions("perMessageDeflate, extension offers", ["--deflate"], [
  {
    name: "an unknown permessage-deflate parameter",
    run: offer("permessage-deflate; foo"),
    expect: extensionRefusal,
  },
  {
    name: "server_max_window_bits out of range",
    run: offer("permessage-deflate; server_max_window_bits=20"),
    expect: extensionRefusal,
  },
  {
    name: "a parameter given twice",
    run: offer("permessage-deflate; client_no_context_takeover; client_no_context_takeover"),
    expect: extensionRefusal,
  },
  {
    name: "a malformed list",
    run: offer("permessage-deflate,"),
    expect: extensionRefusal,
  },
  {
    name: "valid offers, an unknown extension among them: accepted",
    run: offer('x-foo; a="b", permessage-deflate; client_max_window_bits; server_max_window_bits=10'),
    expect: { status: 101, contentType: null, connection: "upgrade", subprotocol: null, text: null },
  },
]);

compareOptions("perMessageDeflate with window bits", ["--deflate-window-bits"], [
  {
    name: "both windows negotiated; 10 KB echoes intact",
    run: (s) => deflateEcho(s, "abcdefghij".repeat(1_000)),
    expect: {
      params: ["client_max_window_bits=11", "permessage-deflate", "server_max_window_bits=10"],
      echoed: true,
    },
  },
  {
    name: "an offer that does not let the server pick the client window: refused",
    run: offer("permessage-deflate"),
    expect: extensionRefusal,
  },
  {
    name: "an offer asking a smaller server window: refused",
    run: offer("permessage-deflate; client_max_window_bits; server_max_window_bits=9"),
    expect: extensionRefusal,
  },
]);

compareOptions("perMessageDeflate off", [], [
  {
    name: "raw ws offering permessage-deflate: not negotiated",
    run: (s) => deflateObs(s),
    expect: {
      extension: null,
      small: { ok: true, compressed: false },
      large: { ok: true, compressed: false },
    },
  },
]);

describeOptions("perMessageDeflate, client", ["--deflate"], (server) => {
  for (const variant of VARIANTS.filter((v) => v.final === "websocket")) {
    test(`${variant.name}: large and small messages echo`, { timeout: 20_000 }, async (t) => {
      const socket = await connectV4(t, server, variant.opts);
      if (variant.upgrade) await upgraded(socket);
      assert.equal(await echo(socket, "small"), "small");
      const text = bigText(100_000);
      assert.ok((await echo(socket, text, 10_000)) === text, "100 KB text differs");
      const bin = bytes(50_000);
      assert.ok(bytesOf(await echo(socket, bin, 10_000)).equals(bin), "50 KB binary differs");
      assert.equal(await echo(socket, "é😀"), "é😀");
    });
  }
});

// ---------------------------------------------------------------- transports
compareOptions("websocket only", ["--websocket-only"], [
  {
    name: "polling handshake: Transport unknown",
    run: async (s) => obs(await request(s, { path: HANDSHAKE })),
    expect: eioError(0),
  },
  {
    name: "websocket handshake: open packet without upgrades",
    run: async (s) => {
      const w = await openWs(s, WS);
      const open = wsOpenShape(await w.next());
      w.ws.close();
      return open;
    },
    expect: { ...OPEN_SHAPE, upgrades: [] },
  },
]);

compareOptions("polling only", ["--polling-only"], [
  NO_UPGRADES_HANDSHAKE,
  {
    // no 'upgrade' listener: Node's http server hands the request to
    // engine.io as a plain GET, hence JSON
    name: "websocket handshake: HTTP 400 Transport unknown",
    run: (s) => wsRefusal(s, WS),
    expect: eioError(0),
  },
  {
    name: "websocket upgrade of a polling session: HTTP 400 Transport unknown",
    run: (s) => upgradeAttempt(s),
    expect: { refused: eioError(0) },
  },
]);

compareOptions("no upgrades", ["--no-upgrades"], [
  NO_UPGRADES_HANDSHAKE,
  {
    // allowUpgrades only hides the upgrade: engine.io still performs it
    name: "websocket with the sid of a polling session: the upgrade still happens",
    run: (s) => upgradeAttempt(s),
    expect: { probe: "3probe", echo: "4sync", pollAfter: eioError(3) },
  },
]);

describeOptions("websocket only, client", ["--websocket-only"], (server) => {
  test("websocket client echoes", T, async (t) => {
    const socket = await connectV4(t, server, { transports: ["websocket"] });
    assert.equal(await echo(socket, "ws"), "ws");
  });
  test("default client (polling first) gets an error", T, async (t) => {
    await assert.rejects(connectV4(t, server, {}));
  });
});

for (const args of [["--polling-only"], ["--no-upgrades"]]) {
  describeOptions("no upgrade offered, client", args, (server) => {
    test("default client stays on polling and echoes", T, async (t) => {
      const socket = await connectV4(t, server, {});
      let upgrading = false;
      socket.on("upgrading", () => (upgrading = true));
      assert.equal(await echo(socket, "polling"), "polling");
      await sleep(400);
      assert.equal(socket.transport.name, "polling");
      assert.equal(upgrading, false, "client tried to upgrade");
    });
  });
}

// ---------------------------------------------------------------- path
const CUSTOM = "/custom/";
compareOptions("path", ["--path", CUSTOM], [
  {
    name: "handshake under the custom path",
    run: async (s) => handshakeShape(await request(s, { path: eioPath(V4, CUSTOM) })),
    expect: HANDSHAKE_SHAPE,
  },
  {
    name: "/engine.io/ and /custom (no slash): 404",
    run: async (s) => ({
      default: (await request(s, { path: HANDSHAKE })).status,
      noSlash: (await request(s, { path: eioPath(V4, "/custom") })).status,
    }),
    expect: { default: 404, noSlash: 404 },
  },
  {
    name: "websocket handshake under the custom path",
    run: async (s) => {
      const w = await openWs(s, WS, { base: CUSTOM });
      const open = wsOpenShape(await w.next());
      w.ws.close();
      return open;
    },
    expect: { ...OPEN_SHAPE, upgrades: [] },
  },
  {
    // Node ends such a connection after 1 s without an answer; a refusal
    // (404) is as good: both mean "no websocket"
    name: "websocket handshake under /engine.io/: no websocket",
    run: async (s) => ({
      upgraded: await openWs(s, WS).then((w) => (w.ws.close(), true), () => false),
    }),
    expect: { upgraded: false },
  },
]);

// Node's addTrailingSlash (on by default): "/custom" answers at "/custom/".
compareOptions("path without its slash", ["--path", "/custom"], [
  {
    name: "handshake under /custom/, the slash added",
    run: async (s) => handshakeShape(await request(s, { path: eioPath(V4, CUSTOM) })),
    expect: HANDSHAKE_SHAPE,
  },
]);

describeOptions("path, client", ["--path", CUSTOM], (server) => {
  for (const variant of VARIANTS) {
    test(`${variant.name}: client with path ${CUSTOM} echoes`, T, async (t) => {
      const socket = await connectV4(t, server, { ...variant.opts, path: CUSTOM });
      if (variant.upgrade) await upgraded(socket);
      assert.equal(socket.transport.name, variant.final);
      assert.equal(await echo(socket, "custom"), "custom");
    });
  }
  test("client with the default path gets an error", T, async (t) => {
    await assert.rejects(connectV4(t, server, { transports: ["polling"] }));
  });
});
