// Helpers for test/client-suite.test.js: socket.io-client 4.8 against
// client_suite_server (the server of socket.io-client's own test suite).
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { io as ioV4, Manager } from "socket.io-client";
import { once } from "./sio.js";
import WebSocket from "ws";
import { request, openWs } from "./raw.js";
import { withTimeout } from "./time.js";

/**
 * Client transport variants: the default (polling, then upgraded to
 * websocket), websocket only, polling only.
 */
export const SUITE_VARIANTS = [
  { name: "default", opts: {}, first: "polling" },
  { name: "websocket", opts: { transports: ["websocket"] }, first: "websocket", final: "websocket" },
  { name: "polling", opts: { transports: ["polling"] }, first: "polling", final: "polling" },
];

/** Reconnection with small delays (the suite's `reconnectionDelay: 10`). */
export const RECONNECT = { reconnection: true, reconnectionDelay: 10, reconnectionDelayMax: 50, randomizationFactor: 0 };

/** Own Manager, no reconnection unless asked. */
const BASE_OPTS = { forceNew: true, reconnection: false, timeout: 5000 };

/**
 * socket.io-client 4.x socket on `nsp` (which may carry a query string) of
 * `server`, not awaited; disconnected (its Manager closed) at the end of the test.
 */
export function suiteSocket(t, server, nsp = "/", opts = {}) {
  const socket = ioV4(`${server.base}${nsp}`, { ...BASE_OPTS, ...opts });
  t.after(() => socket.disconnect());
  return socket;
}

/**
 * `p`, marked as handled: a promise awaited only after other awaits must not
 * reject unhandled meanwhile (node:test would end the test early while its
 * body goes on). It still rejects where it is awaited.
 */
export function later(p) {
  p.catch(() => {});
  return p;
}

/** Resolves with `socket` at its next `connect`, rejects with its next `connect_error`. */
export function connectedOrError(socket, ms = 5000) {
  let onConnect;
  let onError;
  const p = new Promise((resolve, reject) => {
    onConnect = () => resolve(socket);
    onError = (e) => reject(e);
    socket.once("connect", onConnect);
    socket.once("connect_error", onError);
  });
  return later(
    withTimeout(p, ms, "socket.io connect").finally(() => {
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
    }),
  );
}

/** A connected socket (see suiteSocket). */
export function connectSuite(t, server, nsp = "/", opts = {}, ms = 5000) {
  return connectedOrError(suiteSocket(t, server, nsp, opts), ms);
}

/**
 * Resolves with `socket` at its next `connect`; connect_error events on the
 * way (failed reconnection attempts) are ignored.
 */
export function reconnected(socket, ms = 15_000) {
  return later(once(socket, "connect", ms).then(() => socket));
}

/** Resolves with the connect_error (an Error) of a socket that must not connect. */
export async function connectError(socket, ms = 5000) {
  try {
    await connectedOrError(socket, ms);
  } catch (e) {
    return e;
  }
  throw new Error("connected, a connect_error was expected");
}

/**
 * A Manager of `server` (several namespaces over one connection); its
 * sockets are disconnected and the Manager closed at the end of the test.
 */
export function suiteManager(t, server, opts = {}) {
  const manager = new Manager(server.base, { ...BASE_OPTS, ...opts });
  const sockets = [];
  const socket = manager.socket.bind(manager);
  manager.socket = (nsp, o) => {
    const s = socket(nsp, o);
    sockets.push(s);
    return s;
  };
  t.after(() => {
    for (const s of sockets) s.disconnect();
    manager._close();
  });
  return manager;
}

/**
 * Splits the args of an event the server emitted without an ack: with
 * connection state recovery, the last one is the offset (a non-empty
 * string). Resolves with [args without it, offset].
 */
export function splitOffset(args, what = "event") {
  assert.ok(args.length >= 1, `${what}: the offset must be the last argument (no argument)`);
  const offset = args[args.length - 1];
  assert.equal(typeof offset, "string", `${what}: the last argument must be the offset string, got ${JSON.stringify(offset)}`);
  assert.ok(offset.length > 0, `${what}: empty offset`);
  return [args.slice(0, -1), offset];
}

/** Emits `event` with `args` and resolves with the args of the next `reply` event. */
export async function roundTrip(socket, event, args, reply, ms = 5000) {
  const got = once(socket, reply, ms);
  socket.emit(event, ...args);
  return got;
}

/**
 * The server handles a socket's events in order: once the ack of an `echo`
 * sent after them is back, everything they made the server emit has arrived.
 */
export async function fence(socket, ms = 5000) {
  const token = `fence-${Math.random()}`;
  assert.equal(await socket.timeout(ms).emitWithAck("echo", token), token);
}

/**
 * Emits each [event, ...args] of `sends`, then fences: resolves with the
 * number of `watched` events received meanwhile.
 */
export async function countDuring(socket, watched, sends) {
  let count = 0;
  const handler = () => count++;
  socket.on(watched, handler);
  try {
    for (const [event, ...args] of sends) socket.emit(event, ...args);
    await fence(socket);
  } finally {
    socket.off(watched, handler);
  }
  return count;
}

/** `s` is Date#toJSON(): ISO 8601 UTC with milliseconds, at most a minute from now. */
export function assertRecentIsoDate(s, what = "date") {
  assert.equal(typeof s, "string", `${what}: a string`);
  assert.match(s, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, `${what}: ISO 8601 with ms`);
  const d = new Date(s);
  assert.equal(d.toISOString(), s, `${what}: a valid date`);
  assert.ok(Math.abs(d.getTime() - Date.now()) < 60_000, `${what}: recent (${s})`);
}

/** Keys of Node's socket.handshake. */
export const HANDSHAKE_KEYS = ["address", "auth", "headers", "issued", "query", "secure", "time", "url", "xdomain"];

/**
 * Checks a handshake object as Node serialises it. `expect`: {port, transport
 * (of the first request), auth, xdomain (default false), query (entries that
 * must be in it)}.
 */
export function assertHandshake(h, { port, transport, auth = {}, xdomain = false, query = {} }) {
  assert.equal(typeof h, "object");
  assert.deepEqual(Object.keys(h).sort(), HANDSHAKE_KEYS, "handshake keys");
  // headers: lower-case names, string values, with the Host
  assert.equal(typeof h.headers, "object");
  for (const [k, v] of Object.entries(h.headers)) {
    assert.equal(k, k.toLowerCase(), `header name ${k} in lower case`);
    assert.equal(typeof v, "string", `header ${k}: a string`);
  }
  assert.equal(h.headers.host, `127.0.0.1:${port}`, "headers.host");
  // time: Date#toString() of the connection time; issued: its ms
  assert.equal(typeof h.time, "string");
  assert.match(h.time, /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4}( \(.+\))?$/, `time: ${h.time}`);
  assert.equal(typeof h.issued, "number");
  assert.ok(Number.isInteger(h.issued), "issued: integer ms");
  assert.ok(Math.abs(h.issued - Date.now()) < 60_000, `issued recent (${h.issued})`);
  assert.ok(Math.abs(h.issued - Date.parse(h.time)) < 2000, `time (${h.time}) and issued (${h.issued}) agree`);
  assert.equal(h.address, "127.0.0.1", "address");
  assert.equal(h.xdomain, xdomain, "xdomain");
  assert.equal(h.secure, false, "secure");
  // url and query: those of the request that opened the session
  assert.equal(typeof h.url, "string");
  assert.ok(h.url.startsWith("/socket.io/?"), `url: ${h.url}`);
  const fromUrl = Object.fromEntries(new URL(h.url, "http://x").searchParams);
  assert.deepEqual({ ...h.query }, fromUrl, "query is the url's query");
  assert.equal(h.query.EIO, "4", "query.EIO");
  assert.equal(h.query.transport, transport, "query.transport");
  assert.equal(h.query.sid, undefined, "no sid in the query");
  for (const [k, v] of Object.entries(query)) assert.equal(h.query[k], v, `query.${k}`);
  assert.deepEqual(h.auth, auth, "auth");
}

/** Milliseconds taken by `fn()` (resolved value in `.value`). */
export async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Raw polling handshake at /socket.io/: resolves with {ms, sid, res}. */
export async function timedPollingHandshake(server) {
  const { ms, value: res } = await timed(() => request(server, { path: "/socket.io/?EIO=4&transport=polling" }));
  assert.equal(res.status, 200, `handshake: HTTP ${res.status} ${res.text}`);
  const m = /^0(\{.*\})$/.exec(res.text);
  assert.ok(m, `open packet: ${res.text}`);
  return { ms, sid: JSON.parse(m[1]).sid, res };
}

/** Raw WebSocket handshake at /socket.io/: resolves with {ms, open (its first frame), w}. */
export async function timedWsHandshake(server) {
  const { ms, value: w } = await timed(() =>
    openWs(server, { EIO: "4", transport: "websocket" }, { base: "/socket.io/" }),
  );
  const open = await w.next();
  return { ms, open, w };
}

/**
 * Raw WebSocket at `/socket.io/?EIO=4&transport=websocket&<rawQuery>` (the
 * query string sent as is): joins `/` and resolves with the handshake object
 * `getHandshake` acks, with `path` (the request's path).
 */
export function rawHandshake(server, rawQuery, ms = 5000) {
  const url = new URL(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket&${rawQuery}`);
  const path = url.pathname + url.search; // as sent: non-ASCII characters percent-encoded, the rest as is
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const p = new Promise((resolve, reject) => {
    ws.on("error", reject);
    ws.on("close", () => reject(new Error("closed")));
    ws.on("message", (data) => {
      const text = data.toString("utf8");
      if (text.startsWith("0{")) ws.send("40");
      else if (text === "2") ws.send("3");
      else if (text.startsWith("40{")) ws.send('421["getHandshake"]');
      else if (text.startsWith("431[")) resolve({ path, handshake: JSON.parse(text.slice(3))[0] });
    });
  });
  return withTimeout(p, ms, `raw handshake ${rawQuery}`).finally(() => ws.terminate());
}
