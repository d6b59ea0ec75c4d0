// Cluster-wide queries and remote operations: fetchSockets, socketsJoin /
// socketsLeave, disconnectSockets, serverCount and allRooms, each asked from
// every node and checked against the sockets of every node.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { ADAPTERS, suiteTitle, useCluster, waitFor } from "./lib/cluster.js";
import {
  NAMESPACES,
  audience,
  clearLogs,
  connect,
  deliveries,
  expected,
  population,
  settle,
  spread,
} from "./lib/clients.js";
import { once } from "../lib/sio.js";

const T = { timeout: 30_000 };

/** Polls `get` until it deep-equals `want` (2 s), then asserts it does. */
async function eventually(get, want, what) {
  let got;
  try {
    await waitFor(async () => isDeepStrictEqual((got = await get()), want), 2000, what);
  } catch {
    assert.deepEqual(got, want, `${what} (after 2 s)`);
  }
}
const byId = (a, b) => a.id.localeCompare(b.id);
const senders = (clients) => clients.slice(0, 3); // one per node

/** What `fetch` should answer for `clients` (without the handshake). */
const summary = (clients) =>
  clients.map((c) => ({ id: c.id, rooms: [...c.rooms].sort(), data: { name: c.info.name, node: c.info.node } })).sort(byId);

for (const adapter of ADAPTERS) {
  describe(suiteTitle("cluster queries", adapter), () => {
    const cluster = useCluster({ adapter });

    test("count is the number of nodes, asked from every node and namespace", T, async (t) => {
      for (const nsp of NAMESPACES) {
        const clients = await spread(t, cluster, nsp, { perNode: 1 });
        for (const c of clients) assert.equal(await c.call("count"), cluster.nodes.length, `${nsp}@${c.info.node}`);
      }
    });

    test("fetch: sockets of every node with rooms, data and handshake", T, async (t) => {
      const world = await population(t, cluster);
      for (const nsp of NAMESPACES) {
        const clients = world[nsp];
        for (const sender of senders(clients)) {
          const where = `${nsp} from ${sender.info.node}`;
          const got = await sender.call("fetch", {});
          assert.ok(Array.isArray(got), `${where}: ${JSON.stringify(got)}`);
          const plain = got.map(({ id, rooms, data }) => ({ id, rooms: [...rooms].sort(), data })).sort(byId);
          assert.deepEqual(plain, summary(clients), where);
          for (const s of got) {
            const c = clients.find((x) => x.id === s.id);
            const h = s.handshake;
            assert.deepEqual(h.auth, { name: c.info.name }, `${where}: auth`);
            assert.equal(h.query.who, c.info.name, `${where}: query`);
            assert.equal(h.query.EIO, "4", `${where}: query EIO`);
            assert.equal(h.headers["x-test-client"], c.info.name, `${where}: headers`);
            assert.equal(h.headers.host, `127.0.0.1:${cluster.node(c.info.node).port}`, `${where}: host`);
            assert.equal(typeof h.time, "string", `${where}: time`);
            assert.equal(typeof h.issued, "number", `${where}: issued`);
            assert.equal(typeof h.address, "string", `${where}: address`);
            assert.equal(h.secure, false, `${where}: secure`);
            assert.match(h.url, /^\/socket\.io\/\?/, `${where}: url`);
          }
        }
      }
    });

    test("fetch with rooms and except", T, async (t) => {
      const world = await population(t, cluster);
      for (const nsp of NAMESPACES) {
        const clients = world[nsp];
        for (const sender of senders(clients)) {
          for (const o of [{ rooms: ["r1"] }, { rooms: ["r1", "r2"], except: ["r1"] }, { except: [clients[4].id] }, { rooms: ["none"] }]) {
            const got = await sender.call("fetch", o);
            const ids = got.map((s) => s.id).sort();
            const want = audience(clients, sender, o).map((c) => c.id).sort();
            assert.deepEqual(ids, want, `${nsp} from ${sender.info.node} ${JSON.stringify(o)}`);
          }
        }
      }
    });

    test("me: the socket as its own node sees it", T, async (t) => {
      const world = await population(t, cluster);
      for (const nsp of NAMESPACES) {
        for (const c of world[nsp]) {
          const me = await c.call("me");
          assert.deepEqual(
            { ...me, rooms: [...me.rooms].sort() },
            { node: c.info.node, nsp, id: c.id, rooms: [...c.rooms].sort(), data: { name: c.info.name, node: c.info.node } },
          );
        }
      }
      // No auth.name: data.name is null.
      const anon = await connect(t, cluster.nodes[1], "/chat");
      assert.deepEqual((await anon.call("me")).data, { name: null, node: cluster.nodes[1].name });
    });

    test("sjoin / sleave change rooms on every node (fetch and a room broadcast agree)", T, async (t) => {
      const world = await population(t, cluster);
      for (const nsp of NAMESPACES) {
        const clients = world[nsp];
        for (const [k, sender] of senders(clients).entries()) {
          const room = `s${k}`;
          const where = `${nsp} from ${sender.info.node}`;
          // Joins r2 minus c3 into `room`.
          const sel = { rooms: ["r2"], except: [clients[3].id] };
          const joined = audience(clients, sender, sel);
          assert.equal(await sender.call("sjoin", { ...sel, target: room }), undefined);
          for (const c of joined) c.rooms.add(room);
          // socketsJoin() is not awaited by Node: even the calling node applies it once its own
          // message is back from Redis. So fetch again until it shows; a fetch that does has
          // travelled behind the join to every node.
          const ids = (list) => list.map((s) => s.id).sort();
          const joinedIds = ids(joined);
          await eventually(async () => ids(await sender.call("fetch", { rooms: [room] })), joinedIds, `${where}: fetch after sjoin`);
          for (const c of joined) assert.ok((await c.call("me")).rooms.includes(room), `${where}: me of ${c.info.name}`);
          await cluster.roomSubscribers(nsp, room, new Set(joined.map((c) => c.info.node)).size);
          clearLogs(clients);
          await sender.call("emit", { rooms: [room], event: "in-room", args: [room] });
          await settle(sender, clients);
          assert.deepEqual(deliveries(clients, "in-room"), expected(joined, [room]), `${where}: broadcast after sjoin`);

          // Everyone leaves it again, asked from another node.
          const other = senders(clients)[(k + 1) % 3];
          assert.equal(await other.call("sleave", { target: room }), undefined);
          for (const c of joined) c.rooms.delete(room);
          await eventually(async () => ids(await other.call("fetch", { rooms: [room] })), [], `${where}: fetch after sleave`);
          await cluster.roomSubscribers(nsp, room, 0);
          clearLogs(clients);
          await sender.call("emit", { rooms: [room], event: "in-room", args: [room] });
          await settle(sender, clients);
          assert.deepEqual(deliveries(clients, "in-room"), {}, `${where}: broadcast after sleave`);
        }
      }
    });

    for (const close of [false, true]) {
      test(`kick (disconnectSockets(${close})) disconnects the selected sockets on every node`, T, async (t) => {
        for (const nsp of NAMESPACES) {
          const otherNsp = NAMESPACES.find((x) => x !== nsp);
          const clients = await spread(t, cluster, nsp, { prefix: "k" });
          // k0 k1 k2 k4 go (every node, every transport); k3 (room "stay") and k5 stay.
          for (const i of [0, 1, 2, 3, 4]) await clients[i].call("join", i === 3 ? "stay" : "kick");
          const gone = ["k0", "k1", "k2", "k4"];
          // Each kicked client also has a socket on the other namespace over the same
          // connection: close=true ends the connection, so that one must go too.
          const siblings = await Promise.all(
            clients
              .filter((c) => gone.includes(c.info.name))
              .map(async (c) => {
                const sib = c.io.socket(otherNsp, { auth: { name: `sib-${c.info.name}` } });
                sib.info = { name: `sib-${c.info.name}` };
                if (!sib.connected) await once(sib, "connect");
                return sib;
              }),
          );
          const reasons = new Map();
          for (const c of [...clients, ...siblings]) c.on("disconnect", (reason) => reasons.set(c.info.name, reason));
          // The kick comes from each node in turn over the four runs.
          const from = cluster.nodes[(NAMESPACES.indexOf(nsp) + (close ? 2 : 0)) % cluster.nodes.length];
          const sender = await connect(t, from, nsp, { name: "kicker" });
          assert.equal(await sender.call("kick", { rooms: ["kick", "stay"], except: ["stay"], close }), undefined);
          const expectGone = close ? [...gone, ...siblings.map((s) => s.info.name)] : gone;
          await waitFor(() => expectGone.every((n) => reasons.has(n)), 5000, `disconnects (got ${[...reasons.keys()]})`);
          // What socket.io 4.8 does: close=true disconnects every namespace of the connection,
          // each with a DISCONNECT packet sent before the connection closes, so every client
          // socket sees "io server disconnect" (never "transport close"), whatever the transport.
          const want = Object.fromEntries(expectGone.map((n) => [n, "io server disconnect"]));
          assert.deepEqual(Object.fromEntries(reasons), want, `${nsp}: reasons`);
          if (!close) {
            for (const s of siblings) assert.equal(await s.timeout(5000).emitWithAck("count"), cluster.nodes.length);
          }
          const left = await sender.call("fetch", {});
          assert.deepEqual(left.map((s) => s.data.name).sort(), ["k3", "k5", "kicker"], `${nsp}: fetch after kick`);
          for (const s of siblings) s.disconnect();
        }
      });
    }

    test("rooms (allRooms) lists the rooms of every node", { ...T, skip: adapter !== "classic" && "allRooms: classic adapter only" }, async (t) => {
      const world = await population(t, cluster);
      for (const nsp of NAMESPACES) {
        const clients = world[nsp];
        // Rooms held by one node only.
        await clients[5].call("join", "only-c5");
        await clients[3].call("join", "only-c3");
        const want = new Set(["r1", "r2", "only-c5", "only-c3", ...clients.map((c) => c.id)]);
        for (const sender of senders(clients)) {
          const rooms = await sender.call("rooms");
          assert.ok(Array.isArray(rooms), JSON.stringify(rooms));
          for (const r of want) assert.ok(rooms.includes(r), `${nsp} from ${sender.info.node}: ${r} missing`);
        }
      }
    });
  });
}
