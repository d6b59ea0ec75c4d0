// The cluster under test: one private redis-server and several cluster_node
// processes (the C++ examples/cluster_node and the Node twin
// cluster/cluster_node.js) joined through it.
import { spawn } from "node:child_process";
import path from "node:path";
import { before, after } from "node:test";
import { createClient } from "redis";
import { BUILD_DIR, INTEROP_DIR, freePort, isExecutableFile, startServer } from "../../lib/server.js";

export { freePort };
import { sleep } from "../../lib/time.js";

export const REDIS_SERVER = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";
export const CPP_BINARY = path.join(BUILD_DIR, "examples", "cluster_node");
const NODE_TWIN = path.join(INTEROP_DIR, "cluster", "cluster_node.js");

/** The default topology: two C++ nodes and one Node node. */
export const DEFAULT_NODES = [
  { kind: "cpp", name: "cpp-a" },
  { kind: "cpp", name: "cpp-b" },
  { kind: "node", name: "node-a" },
];
export const ADAPTERS = ["classic", "sharded"];

/**
 * Whether the C++ nodes really are C++: false (Node twins stand in) when
 * the binary is not built, unless SIO_REQUIRE_CPP=1, which makes that an
 * error. Same policy as lib/server.js, except that a missing binary does not
 * skip: an all-Node cluster still checks the suites themselves.
 */
export function cppAvailable() {
  if (isExecutableFile(CPP_BINARY)) return true;
  if (process.env.SIO_REQUIRE_CPP === "1") {
    throw new Error(`cluster_node not built (${CPP_BINARY}) and SIO_REQUIRE_CPP=1`);
  }
  return false;
}

/** Polls `check` (async, truthy = done) every 25 ms for up to `ms`. */
export async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timeout (${ms} ms): ${what} (last: ${last?.message ?? last})`);
    await sleep(25);
  }
}

/** Starts redis-server on a free port; resolves once it answers PING. */
async function startRedis() {
  const port = await freePort();
  const proc = spawn(
    REDIS_SERVER,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise((resolve) => {
    proc.once("exit", (code, signal) => resolve({ code, signal }));
    proc.once("error", (error) => resolve({ error }));
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on("error", () => {});
  const stop = async () => {
    await client.quit().catch(() => {});
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`redis-server exited: ${stderr}`);
        if (!client.isOpen) await client.connect();
        return (await client.ping()) === "PONG";
      },
      5000,
      "redis-server PING",
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, url, client, stop };
}

/**
 * The channels whose subscriber counts say a node has joined: each
 * namespace's request channel (classic), main channel (sharded).
 */
function readinessQuery(adapter) {
  return adapter === "sharded"
    ? ["PUBSUB", "SHARDNUMSUB", "socket.io#/#", "socket.io#/chat#"]
    : ["PUBSUB", "NUMSUB", "socket.io-request#/#", "socket.io-request#/chat#"];
}

/** [channel, count, channel, count, ...] → [count, ...] */
const counts = (reply) => reply.filter((_, i) => i % 2 === 1).map(Number);

/**
 * A cluster of `specs` ({kind: "cpp"|"node", name}) in `adapter` mode
 * ("classic" or "sharded"), started in before() and stopped in after() of
 * the current suite. The handle is filled in once started:
 *   redis {port, url, client}; nodes [{name, kind, runs ("cpp"|"node"),
 *   port, base, line}]; node(name); kill(name); restart(name); add(spec);
 *   remove(name); ready(n); roomSubscribers(nsp, room, n).
 */
export function useCluster({ adapter, specs = DEFAULT_NODES, timeoutMs = 10_000 }) {
  const cluster = { adapter, nodes: [], cpp: false };
  let redis;

  const target = (spec) => {
    const cpp = spec.kind === "cpp" && cluster.cpp;
    return cpp
      ? { name: spec.name, program: "cluster_node", cmd: [CPP_BINARY], binary: CPP_BINARY, runs: "cpp" }
      : { name: spec.name, program: "cluster_node", cmd: [process.execPath, NODE_TWIN], runs: "node" };
  };

  /** Waits until the node answers a polling handshake. */
  const handshakes = (node) =>
    waitFor(
      async () => {
        const res = await fetch(`${node.base}/socket.io/?EIO=4&transport=polling`, {
          signal: AbortSignal.timeout(1000),
        });
        await res.arrayBuffer();
        return res.status === 200;
      },
      timeoutMs,
      `${node.name}: polling handshake`,
    );

  /** Waits until Redis counts `n` subscribers on both namespaces' channels. */
  cluster.ready = (n = cluster.nodes.length) =>
    waitFor(
      async () => counts(await redis.client.sendCommand(readinessQuery(adapter))).every((c) => c === n),
      timeoutMs,
      `${n} nodes subscribed (${adapter})`,
    );

  /** Starts `node`, configured by flags, or by environment variables alone when `node.viaEnv`. */
  const launch = async (node) => {
    const t = node.target;
    const server = node.viaEnv
      ? await startServer(t, [], {
          timeoutMs,
          env: { PORT: String(node.port), REDIS_URL: redis.url, NODE_NAME: node.name, REDIS_ADAPTER: adapter },
        })
      : await startServer(
          t,
          ["--port", String(node.port), "--redis", redis.url, "--name", node.name, "--adapter", adapter],
          { timeoutMs },
        );
    node.server = server;
    node.line = server.line;
    await handshakes(node);
  };

  cluster.node = (name) => {
    const node = cluster.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  };

  /** SIGKILL: no goodbye to Redis or the clients. */
  cluster.kill = async (name) => {
    const node = cluster.node(name);
    await node.server?.stop("SIGKILL");
    node.server = null;
  };

  /** Starts a stopped node again on its port and waits until the cluster is whole. */
  cluster.restart = async (name) => {
    const node = cluster.node(name);
    if (node.server) throw new Error(`${name} is running`);
    await launch(node);
    await cluster.ready();
  };

  /**
   * Sharded "dynamic" mode subscribes a node to a room's own channel
   * asynchronously when the room appears there, so a broadcast to the room
   * published right after a join could miss it. Waits until `n` nodes are
   * subscribed; a no-op in classic mode, whose pattern subscription covers
   * every room.
   */
  cluster.roomSubscribers = async (nsp, room, n) => {
    if (adapter !== "sharded") return;
    const channel = `socket.io#${nsp}#${room}#`;
    await waitFor(
      async () => counts(await redis.client.sendCommand(["PUBSUB", "SHARDNUMSUB", channel]))[0] === n,
      timeoutMs,
      `${n} subscribers of ${channel}`,
    );
  };

  const describeNode = async (spec) => {
    let port;
    do port = await freePort();
    while (cluster.nodes.some((n) => n.port === port));
    const t = target(spec);
    const node = {
      name: spec.name,
      kind: spec.kind,
      runs: t.runs,
      target: t,
      viaEnv: Boolean(spec.viaEnv),
      port,
      base: `http://127.0.0.1:${port}`,
      server: null,
    };
    cluster.nodes.push(node);
    return node;
  };

  /** One more node (`spec.viaEnv`: configured by environment variables only); waits until it has joined. */
  cluster.add = async (spec) => {
    const node = await describeNode(spec);
    await launch(node);
    await cluster.ready();
    return node;
  };

  /** Stops a node with SIGTERM and forgets it once the others no longer count it; resolves with its exit. */
  cluster.remove = async (name) => {
    const node = cluster.node(name);
    const exit = await node.server?.stop();
    cluster.nodes.splice(cluster.nodes.indexOf(node), 1);
    await cluster.ready();
    return exit;
  };

  before(async () => {
    cluster.cpp = cppAvailable();
    redis = await startRedis();
    cluster.redis = redis;
    for (const spec of specs) await describeNode(spec);
    await Promise.all(cluster.nodes.map(launch));
    await cluster.ready();
  });

  after(async () => {
    const results = await Promise.all(
      cluster.nodes.map(async (n) => {
        const r = await n.server?.stop();
        return r && { name: n.name, ...r };
      }),
    );
    await redis?.stop();
    // A node must leave on SIGTERM by itself (exit code 0), not by the
    // harness's SIGKILL 3 s later.
    const unclean = results.filter((r) => r && (r.code !== 0 || r.signal));
    if (unclean.length) throw new Error(`unclean exits: ${JSON.stringify(unclean)}`);
  });

  return cluster;
}

/** The name of a suite: adapter mode, and which nodes are real C++ ones. */
export function suiteTitle(title, adapter) {
  let cpp;
  try {
    cpp = cppAvailable();
  } catch {
    cpp = true; // SIO_REQUIRE_CPP=1 without a binary: the suite fails in before()
  }
  return `${title} [${adapter}${cpp ? "" : ", Node twins for the C++ nodes"}]`;
}

