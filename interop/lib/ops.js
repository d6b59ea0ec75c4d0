// Helpers for test/ops.test.js: socket.io-client 4.x clients of the
// socketio_ops server (tests/servers/socketio_ops.cpp, servers/socketio_ops.js)
// that record every event they get, and "fences" to know when a broadcast
// has been delivered everywhere it was going to be.
import { io, Manager } from "socket.io-client";
import { withTimeout } from "./time.js";

/** Client transports: websocket only, polling only, default (polling, then upgrade). */
export const TRANSPORTS = {
  websocket: { transports: ["websocket"] },
  polling: { transports: ["polling"] },
  default: {},
};

const BASE_OPTS = { forceNew: true, reconnection: false, timeout: 5000 };

let counter = 0;
/** A tag unique within this process. */
export const uniq = (prefix = "t") => `${prefix}-${process.pid}-${++counter}`;

/**
 * Comparable form of received values: binary (Buffer, ArrayBuffer, typed
 * array) becomes {$bin: hex}, recursively; functions (ack callbacks) are dropped.
 */
export function plain(v) {
  if (Buffer.isBuffer(v)) return { $bin: v.toString("hex") };
  if (v instanceof ArrayBuffer) return { $bin: Buffer.from(v).toString("hex") };
  if (ArrayBuffer.isView(v)) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") };
  if (Array.isArray(v)) return v.filter((x) => typeof x !== "function").map(plain);
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

/**
 * One connected namespace socket with its event log.
 *   label       name used in assertions ("A", "B", ...)
 *   socket      the socket.io-client Socket
 *   log         [{event, args}] of every event received (args without the ack callback)
 *   disconnects [{reason, description}]
 */
class Client {
  constructor(label, socket) {
    this.label = label;
    this.socket = socket;
    this.log = [];
    this.disconnects = [];
    this.waiters = new Set();
    socket.onAny((event, ...args) => {
      this.log.push({ event, args: args.filter((a) => typeof a !== "function") });
      this.wake();
    });
    // settle(): every live test client answers "probe" with its label.
    socket.on("probe", (...args) => {
      const cb = args.pop();
      if (typeof cb === "function") cb(label);
    });
    socket.on("disconnect", (reason, description) => {
      this.disconnects.push({ reason, description });
      this.wake();
    });
  }

  get id() {
    return this.socket.id;
  }

  wake() {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `pred()` is true (checked at each event / disconnect). */
  until(pred, ms = 5000, what = "condition") {
    let waiter;
    const p = new Promise((resolve) => {
      waiter = () => {
        if (pred()) resolve();
      };
      this.waiters.add(waiter);
      waiter();
    });
    return withTimeout(p, ms, `${this.label}: ${what}`).finally(() => this.waiters.delete(waiter));
  }

  /** Emits `event` with `args` and an ack; resolves with the ack's arguments (array). */
  call(event, ...args) {
    return withTimeout(
      new Promise((resolve) => this.socket.emit(event, ...args, (...res) => resolve(res))),
      5000,
      `${this.label}: ack of "${event}"`,
    );
  }

  /** The `me` answer: {node, nsp, id, rooms, data}. */
  async me() {
    const [res] = await this.call("me");
    return res;
  }

  /** Received `event` entries whose first argument is `tag`. */
  got(event, tag) {
    return this.log.filter((e) => e.event === event && e.args[0] === tag);
  }

  /** Resolves with the next disconnect (or the one already recorded after `from`). */
  nextDisconnect(from = 0, ms = 5000) {
    return this.until(() => this.disconnects.length > from, ms, "disconnect").then(() => this.disconnects[from]);
  }
}

function connected(label, socket, ms = 5000) {
  const client = new Client(label, socket);
  const p = new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(client));
    socket.once("connect_error", (e) => reject(e));
  });
  return withTimeout(p, ms, `${label}: socket.io connect`);
}

/**
 * A socket.io-client 4.x socket (own Manager) on `nsp` of `server`, with
 * `transport` (a TRANSPORTS key) and `auth`. Closed after the test `t`.
 */
export function connect(t, server, label, { nsp = "/", transport = "default", auth } = {}) {
  const socket = io(`${server.base}${nsp}`, { ...BASE_OPTS, ...TRANSPORTS[transport], ...(auth ? { auth } : {}) });
  t.after(() => socket.disconnect());
  return connected(label, socket);
}

/** A Manager (one Engine.IO connection for several namespaces), closed after `t`; `extra` adds client options. */
export function manager(t, server, transport = "default", extra = {}) {
  const m = new Manager(server.base, { ...BASE_OPTS, ...TRANSPORTS[transport], ...extra });
  t.after(() => m.engine?.close());
  return m;
}

/** Connects the socket of `mgr` on `nsp`. */
export function connectOn(mgr, label, nsp, { auth } = {}) {
  return connected(label, mgr.socket(nsp, auth ? { auth } : {}));
}

/**
 * Emits a fence event from `sender` to everyone in its namespace and waits
 * until each of `clients` (same namespace, still connected) got it. A
 * broadcast requested by `sender` before (and acked) has then been
 * delivered to all of them, since one sender's broadcasts keep their order.
 */
export async function fence(sender, clients, ms = 5000) {
  const tag = uniq("fence");
  await sender.call("emit", { rooms: [], event: "fence", args: [tag] });
  await Promise.all(clients.map((c) => c.until(() => c.got("fence", tag).length > 0, ms, `fence ${tag}`)));
}

/**
 * `sender` asks for `spec` (the emit request without event/args) with a
 * fresh tag as the only argument, then fences `clients` (default: the
 * `observers`). Resolves with {label: deliveries} for `observers`.
 */
export async function deliveries(sender, spec, observers, fenced = observers) {
  const tag = uniq("msg");
  await sender.call("emit", { ...spec, event: "msg", args: [tag] });
  await fence(sender, fenced);
  return Object.fromEntries(observers.map((c) => [c.label, c.got("msg", tag).length]));
}

/** {label: count} with `labels` at 1 and the other `observers` at 0. */
export function only(observers, ...labels) {
  return Object.fromEntries(observers.map((c) => [c.label, labels.includes(c.label) ? 1 : 0]));
}

/**
 * Waits until the namespace of `sender` holds exactly `clients`: the sockets
 * of the previous tests may still be connected on the server for a while
 * after their client closed them (and would be counted by a broadcast to
 * everyone). Probes with an emit-ack to everyone until it gets exactly the
 * labels of `clients` without a timeout.
 */
export async function settle(sender, clients, ms = 5000) {
  const want = clients.map((c) => c.label).sort();
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    [last] = await sender.call("emit-ack", { rooms: [], event: "probe", args: [], timeout: 200 });
    if (last.error === null && JSON.stringify([...last.responses].sort()) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`namespace did not settle to ${JSON.stringify(want)}: last ${JSON.stringify(last)}`);
}
