// Spawning the servers under test (the C++ engineio_echo / engineio_options /
// socketio_echo and their Node twins).
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const INTEROP_DIR = path.resolve(here, "..");
export const REPO_DIR = path.resolve(INTEROP_DIR, "..");
export const BUILD_DIR = process.env.SIO_BUILD_DIR
  ? path.resolve(process.env.SIO_BUILD_DIR)
  : path.join(REPO_DIR, "build");

export function isExecutableFile(p) {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The targets of one server program: `cpp` (the C++ binary at `relative`
 * inside the build dir), `cpp-2` (the same with `--threads 2`: two shards)
 * and `node` (the Node twin). `cmd` is argv without the server's own options,
 * `args` come first among them.
 */
function program(name, relative, twin) {
  const bin = path.join(BUILD_DIR, relative);
  const cpp = { name: "cpp", program: name, cmd: [bin], binary: bin, args: [] };
  return {
    cpp,
    cpp2: { ...cpp, name: "cpp-2", args: ["--threads", "2"] },
    node: {
      name: "node",
      program: name,
      cmd: [process.execPath, path.join(INTEROP_DIR, "servers", twin)],
      args: [],
    },
  };
}

const ECHO = program("engineio_echo", "examples/engineio_echo", "engineio_echo.js");
const OPTIONS = program("engineio_options", "tests/engineio_options", "engineio_options.js");
const SIO_ECHO = program("socketio_echo", "examples/socketio_echo", "socketio_echo.js");

/**
 * A suite's targets: the C++ servers and the Node twin, or the C++ servers alone when
 * SIO_SKIP_TWINS=1 (the sanitizer run, which checks our servers; the twins ran in the release
 * run). The twins that other targets are compared with (NODE_TARGET, ...) are always there.
 */
function suite(...targets) {
  return process.env.SIO_SKIP_TWINS === "1" ? targets.filter((t) => t.name !== "node") : targets;
}

/** engineio_echo: cpp and node (raw-compare, jsonp, lifecycle). */
export const TARGETS = suite(ECHO.cpp, ECHO.node);
/** engineio_echo with the two-shard C++ server too (the client suites). */
export const SHARDED_TARGETS = suite(ECHO.cpp, ECHO.cpp2, ECHO.node);
/** engineio_options: cpp, cpp-2 and node. */
export const OPTIONS_TARGETS = suite(OPTIONS.cpp, OPTIONS.cpp2, OPTIONS.node);
export const OPTIONS_NODE_TARGET = OPTIONS.node;

export const NODE_TARGET = ECHO.node;
export const CPP_TARGET = ECHO.cpp;

/** socketio_echo: cpp, cpp-2 and node (the sio-* suites). */
export const SIO_TARGETS = suite(SIO_ECHO.cpp, SIO_ECHO.cpp2, SIO_ECHO.node);
export const SIO_NODE_TARGET = SIO_ECHO.node;
export const SIO_CPP_TARGETS = [SIO_ECHO.cpp, SIO_ECHO.cpp2];

/**
 * Why `target` cannot run, or null when it can. A missing C++ binary is a
 * skip, unless SIO_REQUIRE_CPP=1, in which case it throws (test fails).
 */
export function unavailable(target) {
  if (!target.binary || isExecutableFile(target.binary)) return null;
  if (process.env.SIO_REQUIRE_CPP === "1") {
    throw new Error(`${target.program} not built (${target.binary}) and SIO_REQUIRE_CPP=1`);
  }
  return `${target.program} not built`;
}

const LISTEN_RE = /listening on (https?):\/\/[^:]+:(\d+)(\S*)/;

/**
 * Starts `target` with its own `target.args`, then `args` (e.g. ['--eio3']);
 * `--port 0` is added unless `args` has a --port. Resolves once the
 * "listening" line is printed; `url` is the address it prints.
 * @returns {Promise<{port:number, url:string, base:string, line:string,
 *   stop:(signal?) => Promise<{code, signal}>, exited:Promise<{code, signal}>, proc}>}
 */
export function startServer(target, args = [], { timeoutMs = 10_000, env = {} } = {}) {
  if (target.binary && !isExecutableFile(target.binary)) {
    return Promise.reject(new Error(`${target.name}: ${target.program} not built (${target.binary})`));
  }
  const own = target.args ?? [];
  const port = args.includes("--port") || "PORT" in env ? [] : ["--port", "0"];
  const fullArgs = [...port, ...own, ...args];
  const [cmd, ...pre] = target.cmd;
  const proc = spawn(cmd, [...pre, ...fullArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DEBUG: "", ...env },
  });
  let stderr = "";
  proc.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => {
    proc.once("exit", (code, signal) => resolve({ code, signal }));
    proc.once("error", (error) => resolve({ code: null, signal: null, error })); // spawn failed
  });

  /** SIGTERM (or `signal`), SIGKILL after 3 s; resolves with {code, signal}. */
  const stop = async (signal = "SIGTERM") => {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal);
      const killer = setTimeout(() => proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(killer);
    }
    return exited;
  };

  return new Promise((resolve, reject) => {
    let out = "";
    let failed = false;
    const fail = (why) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      stop().finally(() =>
        reject(new Error(`${target.name}: ${why}\nstdout: ${out}\nstderr: ${stderr}`)),
      );
    };
    const timer = setTimeout(() => fail("no listening line within timeout"), timeoutMs);
    const onError = (e) => fail(`spawn failed: ${e.message}`);
    const onEarlyExit = (code, sig) => fail(`exited early (code ${code}, signal ${sig})`);
    proc.once("error", onError);
    proc.once("exit", onEarlyExit);
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", function onData(chunk) {
      out += chunk;
      const m = LISTEN_RE.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout.off("data", onData);
      proc.off("exit", onEarlyExit);
      proc.off("error", onError);
      proc.on("error", () => {});
      proc.stdout.resume(); // keep draining
      const [, scheme, portText, rest] = m;
      const port = Number(portText);
      resolve({
        proc,
        line: out.split("\n")[0],
        exited,
        port,
        base: `${scheme}://127.0.0.1:${port}`,
        url: `${scheme}://127.0.0.1:${port}${rest || "/engine.io/"}`,
        stop,
      });
    });
  });
}

// tests/socketio_ops (tests/servers/socketio_ops.cpp) and servers/socketio_ops.js: the rooms and
// broadcast operators driven by the clients (test/ops.test.js).
const SIO_OPS = program("socketio_ops", "tests/socketio_ops", "socketio_ops.js");

/** socketio_ops: cpp, cpp-2 and node (test/ops.test.js). */
export const OPS_TARGETS = suite(SIO_OPS.cpp, SIO_OPS.cpp2, SIO_OPS.node);
export const OPS_NODE_TARGET = SIO_OPS.node;

// The server of socket.io-client's own test suite (test/client-suite.test.js).
const CLIENT_SUITE = program("client_suite_server", "examples/client_suite_server", "client_suite_server.js");

/** client_suite_server: cpp, cpp-2 and node (test/client-suite.test.js). */
export const CLIENT_SUITE_TARGETS = suite(CLIENT_SUITE.cpp, CLIENT_SUITE.cpp2, CLIENT_SUITE.node);
export const CLIENT_SUITE_NODE_TARGET = CLIENT_SUITE.node;

const CHAT = program("chat", "examples/chat", "chat.js");
/** chat (the demo): cpp, cpp-2 and node (express + socket.io serving the same page). */
export const CHAT_TARGETS = suite(CHAT.cpp, CHAT.cpp2, CHAT.node);
export const CHAT_NODE_TARGET = CHAT.node;

const WS_CHAT = program("ws_chat", "examples/ws_chat", "ws_chat.js");
/** ws_chat (raw WebSocket chat): cpp, cpp-2 and node (`ws` on Node's HTTP server). */
export const WS_CHAT_TARGETS = suite(WS_CHAT.cpp, WS_CHAT.cpp2, WS_CHAT.node);

// examples/embedded: the chat inside an application's own HTTP service (io.attach), and its
// express twin (test/embedded.test.js).
const EMBEDDED = program("embedded", "examples/embedded", "embedded.js");
export const EMBEDDED_TARGETS = suite(EMBEDDED.cpp, EMBEDDED.node);
