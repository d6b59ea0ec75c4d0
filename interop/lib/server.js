// Spawning the servers under test (the C++ engineio_echo and its Node twin).
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const INTEROP_DIR = path.resolve(here, "..");
export const REPO_DIR = path.resolve(INTEROP_DIR, "..");
export const BUILD_DIR = process.env.SIO_BUILD_DIR
  ? path.resolve(process.env.SIO_BUILD_DIR)
  : path.join(REPO_DIR, "build");

// build/examples/engineio_echo is also the name of CMake's binary dir for
// examples/engineio_echo/, so accept the executable inside that dir too.
const CPP_CANDIDATES = [
  path.join(BUILD_DIR, "examples", "engineio_echo"),
  path.join(BUILD_DIR, "examples", "engineio_echo", "engineio_echo"),
];
const CPP_BIN = CPP_CANDIDATES.find(isExecutableFile) ?? CPP_CANDIDATES[0];
const NODE_TWIN = path.join(INTEROP_DIR, "servers", "engineio_echo.js");

function isExecutableFile(p) {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Implementations under test. `cmd` is argv without the server's own options. */
export const TARGETS = [
  { name: "cpp", cmd: [CPP_BIN], binary: CPP_BIN },
  { name: "node", cmd: [process.execPath, NODE_TWIN] },
];

export const NODE_TARGET = TARGETS.find((t) => t.name === "node");
export const CPP_TARGET = TARGETS.find((t) => t.name === "cpp");

/**
 * Why `target` cannot run, or null when it can. A missing C++ binary is a
 * skip, unless SIO_REQUIRE_CPP=1, in which case it throws (test fails).
 */
export function unavailable(target) {
  if (!target.binary || isExecutableFile(target.binary)) return null;
  if (process.env.SIO_REQUIRE_CPP === "1") {
    throw new Error(`engineio_echo not built (${CPP_CANDIDATES.join(" or ")}) and SIO_REQUIRE_CPP=1`);
  }
  return "engineio_echo not built";
}

const LISTEN_RE = /listening on http:\/\/[^:]+:(\d+)/;

/**
 * Starts `target` with `args` (e.g. ['--eio3']); `--port 0` is added unless
 * `args` has a --port. Resolves once the "listening" line is printed.
 * @returns {Promise<{port:number, url:string, base:string, line:string,
 *   stop:(signal?) => Promise<{code, signal}>, exited:Promise<{code, signal}>, proc}>}
 */
export function startServer(target, args = [], { timeoutMs = 10_000, env = {} } = {}) {
  if (target.binary && !isExecutableFile(target.binary)) {
    return Promise.reject(new Error(`${target.name}: engineio_echo not built (${target.binary})`));
  }
  const fullArgs = args.includes("--port") || "PORT" in env ? args : ["--port", "0", ...args];
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
      const port = Number(m[1]);
      resolve({
        proc,
        line: out.split("\n")[0],
        exited,
        port,
        base: `http://127.0.0.1:${port}`,
        url: `http://127.0.0.1:${port}/engine.io/`,
        stop,
      });
    });
  });
}
