// Promise helpers around the official Socket.IO clients: socket.io-client
// 4.8 (protocol v5, EIO=4) and socket.io-client 2.5 (protocol v4, EIO=3,
// installed as `socket.io-client-v2`).
import { io as ioV4, Manager } from "socket.io-client";
import ioV2 from "socket.io-client-v2";
import { withTimeout } from "./time.js";

/** Client transport variants (same as lib/payloads.js VARIANTS). */
export const SIO_VARIANTS = [
  { name: "polling", opts: { transports: ["polling"] }, final: "polling" },
  { name: "websocket", opts: { transports: ["websocket"] }, final: "websocket" },
  { name: "upgrade", opts: {}, final: "websocket", upgrade: true },
];

/** Options shared by every test client: own Manager, no reconnection. */
const BASE_OPTS = { forceNew: true, reconnection: false, timeout: 5000 };

/** `emitter` emits `event` once: resolves with its arguments (array). */
export function once(emitter, event, ms = 5000) {
  let handler;
  const p = new Promise((resolve) => {
    handler = (...args) => resolve(args);
    emitter.once(event, handler);
  });
  return withTimeout(p, ms, `event "${event}"`).finally(() => emitter.off(event, handler));
}

/** Resolves with the arguments of the next `n` `event` events, in order. */
export function nextEvents(socket, event, n, ms = 5000) {
  const got = [];
  let handler;
  const p = new Promise((resolve) => {
    handler = (...args) => {
      got.push(args);
      if (got.length === n) resolve(got);
    };
    socket.on(event, handler);
  });
  return withTimeout(p, ms, `${n} "${event}" events (got ${got.length})`).finally(() =>
    socket.off(event, handler),
  );
}

/**
 * Resolves with `socket` once it is connected, rejects with the
 * connect_error (v4) / error (v2) it gets instead. `auth` (registered before
 * the connection, so it cannot be missed) resolves with the auth event's
 * argument.
 */
function connected(socket, ms, errorEvents) {
  const auth = withTimeout(
    new Promise((resolve) => socket.once("auth", (a) => resolve(a))),
    ms + 2000,
    'event "auth"',
  );
  auth.catch(() => {}); // only awaited by the tests that want it
  const p = new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    for (const ev of errorEvents) {
      socket.once(ev, (e) => reject(e instanceof Error ? e : Object.assign(new Error(JSON.stringify(e)), { data: e })));
    }
  });
  socket.authPromise = auth;
  return withTimeout(p, ms, "socket.io connect");
}

/**
 * socket.io-client 4.x socket on namespace `nsp` of `server` (own Manager,
 * no reconnection unless `opts` says so). Resolves once connected; the
 * socket's `authPromise` resolves with the `auth` event. Closed in the
 * test's cleanup when `t` is given.
 */
export function connectSio(t, server, nsp = "/", opts = {}, ms = 5000) {
  const socket = ioV4(`${server.base}${nsp}`, { ...BASE_OPTS, ...opts });
  t?.after(() => socket.disconnect()); // closes its Manager's connection too
  return connected(socket, ms, ["connect_error"]);
}

/** A 4.x Manager (for several namespaces over one connection). */
export function sioManager(t, server, opts = {}) {
  const manager = new Manager(server.base, { ...BASE_OPTS, ...opts });
  t?.after(() => manager.engine?.close());
  return manager;
}

/** Connects a socket of `manager` to `nsp`. */
export function connectOn(manager, nsp, opts = {}, ms = 5000) {
  return connected(manager.socket(nsp, opts), ms, ["connect_error"]);
}

/**
 * socket.io-client 2.x socket (EIO=3) on `path` (a namespace, with its
 * query if any: "/custom?token=abc"). Rejects with the `error` or
 * `connect_error` it gets instead of `connect`.
 */
export function connectSioV2(t, server, path = "/", opts = {}, ms = 5000) {
  const socket = ioV2(`${server.base}${path}`, { ...BASE_OPTS, ...opts });
  t?.after(() => socket.close()); // closes its Manager's connection too
  return connected(socket, ms, ["error", "connect_error"]);
}

/** Raw v2 client (not connected yet) for the refusal tests. */
export function sioV2(t, server, path, opts = {}) {
  const socket = ioV2(`${server.base}${path}`, { ...BASE_OPTS, ...opts });
  t?.after(() => socket.close());
  return socket;
}

/** Raw v4 client (not connected yet), e.g. for connect_error tests. */
export function sioV4(t, server, nsp, opts = {}) {
  const socket = ioV4(`${server.base}${nsp}`, { ...BASE_OPTS, ...opts });
  t?.after(() => socket.disconnect());
  return socket;
}

/** Waits for the engine's upgrade unless it already runs on websocket. */
export function engineUpgraded(socket, ms = 5000) {
  const engine = socket.io.engine;
  if (engine.transport.name === "websocket") return Promise.resolve();
  return withTimeout(new Promise((resolve) => engine.once("upgrade", () => resolve())), ms, "upgrade to websocket");
}

/** Emits `event` with `args` and resolves with the next `message-back` args. */
export async function echoArgs(socket, args, ms = 5000) {
  const back = once(socket, "message-back", ms);
  socket.emit("message", ...args);
  return back;
}

/**
 * Emits `event` with `args` and an ack callback; resolves with all the
 * ack's arguments (emitWithAck keeps only the first one).
 */
export function ackArgs(socket, event, args, ms = 5000) {
  return withTimeout(
    new Promise((resolve) => socket.emit(event, ...args, (...res) => resolve(res))),
    ms,
    `ack of "${event}"`,
  );
}

/**
 * The emit-with-ack round trip: emits `emit-with-ack` with `args`; the
 * server emits `emit-with-ack` back with the same args and an ack, which is
 * answered with `reply`; the server then emits `emit-with-ack` with `reply`
 * as its args. Resolves with {asked (the args of the first one, without the
 * callback), hadAck, final (the args of the second one)}.
 */
export function emitWithAckRoundTrip(socket, args, reply, ms = 5000) {
  let handler;
  const p = new Promise((resolve) => {
    let asked = null;
    let hadAck = false;
    handler = (...got) => {
      if (asked === null) {
        const cb = got[got.length - 1];
        hadAck = typeof cb === "function";
        asked = hadAck ? got.slice(0, -1) : got;
        if (hadAck) cb(...reply);
        return;
      }
      resolve({ asked, hadAck, final: got });
    };
    socket.on("emit-with-ack", handler);
    socket.emit("emit-with-ack", ...args);
  });
  return withTimeout(p, ms, "emit-with-ack round trip").finally(() => socket.off("emit-with-ack", handler));
}

/**
 * Comparable form of received event args: binary (Buffer, ArrayBuffer, typed
 * array) becomes {$bin: hex}, recursively; everything else is kept.
 */
export function plain(v) {
  if (Buffer.isBuffer(v)) return { $bin: v.toString("hex") };
  if (v instanceof ArrayBuffer) return { $bin: Buffer.from(v).toString("hex") };
  if (ArrayBuffer.isView(v)) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

/** Resolves with [reason, description] at the socket's next `disconnect`. */
export function disconnected(socket, ms = 5000) {
  return once(socket, "disconnect", ms);
}
