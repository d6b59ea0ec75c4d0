// Test clients (socket.io-client 4.8) spread over the nodes of a cluster,
// each recording every event it receives so that a test can compare exactly
// who got what.
import { io } from "socket.io-client";
import { withTimeout } from "../../lib/time.js";
import { plain } from "../../lib/sio.js";

export const TRANSPORTS = {
  websocket: { transports: ["websocket"] },
  polling: { transports: ["polling"] },
  upgrade: {}, // polling first, then upgraded to WebSocket
};
const TRANSPORT_NAMES = Object.keys(TRANSPORTS);

/**
 * Connects one client to `node` on `nsp`. `opts.transport` is a key of
 * TRANSPORTS; `name` goes into auth.name; query and extraHeaders are sent
 * so that fetchSockets() has a handshake to show. The socket is closed in
 * `t`'s cleanup. Resolves with the socket, which has:
 *   log   [[event, ...args], ...] of everything received (acks excluded)
 *   info  {name, node, nsp, transport}
 *   call(event, ...args)  emit with an ack, resolves with the ack's first arg
 */
export async function connect(t, node, nsp = "/", { name, transport = "websocket", ms = 5000, ...opts } = {}) {
  const socket = io(`${node.base}${nsp}`, {
    forceNew: true,
    reconnection: false,
    timeout: ms,
    auth: name === undefined ? {} : { name },
    query: { who: name ?? "anonymous" },
    extraHeaders: { "x-test-client": name ?? "anonymous" },
    ...TRANSPORTS[transport],
    ...opts,
  });
  t.after(() => socket.disconnect());
  socket.log = [];
  socket.info = { name: name ?? null, node: node.name, nsp, transport };
  socket.watchers = new Set(); // see until()
  socket.onAny((event, ...args) => {
    socket.log.push([event, ...args]);
    for (const w of socket.watchers) w();
  });
  socket.call = (event, ...args) =>
    withTimeout(
      new Promise((resolve) => socket.emit(event, ...args, (reply) => resolve(reply))),
      8000,
      `ack of "${event}" from ${node.name}`,
    );
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    ms,
    `connect to ${node.name}${nsp}`,
  );
  return socket;
}

/**
 * `perNode` clients per node on `nsp`, with node and transport varied so
 * that each node gets several transports: client i is on node i % nodes,
 * transport (i + floor(i / nodes)) % 3. Names are `${prefix}${i}`.
 */
export async function spread(t, cluster, nsp, { perNode = 2, prefix = "c" } = {}) {
  const nodes = cluster.nodes;
  const jobs = [];
  for (let i = 0; i < nodes.length * perNode; i++) {
    const transport = TRANSPORT_NAMES[(i + Math.floor(i / nodes.length)) % TRANSPORT_NAMES.length];
    jobs.push(connect(t, nodes[i % nodes.length], nsp, { name: `${prefix}${i}`, transport }));
  }
  return Promise.all(jobs);
}

/** The `event` entries of a client's log, args made comparable (binary → hex). */
export const received = (socket, event) =>
  socket.log.filter(([e]) => e === event).map(([, ...args]) => plain(args));

/**
 * Per client name, the args of every `event` it received, as a sorted
 * object: compared with deepEqual, a missing, extra or doubled delivery on
 * any node fails.
 */
export function deliveries(clients, event) {
  const out = {};
  for (const c of [...clients].sort((a, b) => a.info.name.localeCompare(b.info.name))) {
    const got = received(c, event);
    if (got.length) out[c.info.name] = got;
  }
  return out;
}

/** The same shape for what is expected: `who` get `args` once each. */
export function expected(who, args) {
  const out = {};
  for (const c of [...who].sort((a, b) => a.info.name.localeCompare(b.info.name))) out[c.info.name] = [plain(args)];
  return out;
}

let markSeq = 0;

/**
 * Barrier: `sender` broadcasts a fresh `mark` event to its whole namespace
 * through the cluster and this waits until every one of `clients` (all in
 * that namespace) has it. Messages from one sender keep their order, so
 * anything `sender` emitted before has then reached everyone it was going
 * to reach: the logs can be compared without sleeping.
 */
export async function settle(sender, clients, ms = 5000) {
  const id = `m${++markSeq}`;
  await sender.call("emit", { event: "mark", args: [id] });
  await waitMark(clients, id, ms);
}

/**
 * Resolves once `pred(clients)` holds: re-checked at each event any of them
 * receives, and every 20 ms for what is not an event (a disconnect).
 */
export function until(clients, pred, ms, what) {
  return new Promise((resolve, reject) => {
    let finished = false;
    const done = (err) => {
      finished = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const c of clients) c.watchers.delete(check);
      err ? reject(err) : resolve();
    };
    const check = () => !finished && pred(clients) && done();
    const timer = setTimeout(() => done(new Error(`timeout (${ms} ms): ${what()}`)), ms);
    const poll = setInterval(check, 20);
    for (const c of clients) c.watchers.add(check);
    check();
  });
}

/** Waits until every one of `clients` has received `mark` `id`. */
export function waitMark(clients, id, ms = 5000) {
  const has = (c) => c.log.some(([e, v]) => e === "mark" && v === id);
  return until(clients, (cs) => cs.every(has), ms, () =>
    `mark ${id} missing at ${clients.filter((c) => !has(c)).map((c) => c.info.name)}`,
  );
}

/** Empties the clients' logs between cases. */
export const clearLogs = (clients) => {
  for (const c of clients) c.log.length = 0;
};


export const NAMESPACES = ["/", "/chat"];

/**
 * The usual population: spread() clients on "/" and on "/chat", and in each
 * namespace rooms r1 and r2 that span all three nodes (r1 = c0 c4 c2, r2 =
 * c1 c2 c3; c2 is in both, c5 in neither). Each client's `rooms` mirrors
 * what the server should have (own id included). Resolves with
 * {"/": [...], "/chat": [...]} once every node is subscribed to the rooms.
 */
export async function population(t, cluster) {
  const ROOMS = { r1: [0, 4, 2], r2: [1, 2, 3] };
  const world = {};
  for (const nsp of NAMESPACES) {
    const clients = await spread(t, cluster, nsp);
    for (const c of clients) c.rooms = new Set([c.id]);
    for (const [room, members] of Object.entries(ROOMS)) {
      await Promise.all(
        members.map(async (i) => {
          await clients[i].call("join", room);
          clients[i].rooms.add(room);
        }),
      );
      await cluster.roomSubscribers(nsp, room, new Set(members.map((i) => clients[i].info.node)).size);
    }
    world[nsp] = clients;
  }
  return world;
}

/**
 * Who an `emit` by `sender` with these options should reach, from the
 * clients' own `rooms` (Socket.IO's semantics: any of `rooms`, none of
 * `except`; socket.to() skips the sender; local stays on the sender's node).
 */
export function audience(clients, sender, { rooms = [], except = [], broadcast = false, local = false } = {}) {
  return clients.filter(
    (c) =>
      !(broadcast && c === sender) &&
      !(local && c.info.node !== sender.info.node) &&
      (rooms.length === 0 || rooms.some((r) => c.rooms.has(r))) &&
      !except.some((r) => c.rooms.has(r)),
  );
}
