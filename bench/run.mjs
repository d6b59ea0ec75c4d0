// The benchmark runner: sio-cpp's bench_server against Node's socket.io (bench/node), each
// started fresh for every run, alternating (ours, Node, ours, ...), several runs per scenario.
// Prints medians, min-max and ratios ours/Node, and writes results.json, results-table.md and
// a chart of the ratios (ratios.svg, and ratios.png drawn by Chromium when it is installed) to
// --out: by default bench/ for a full run, whose files are committed, and
// <build-dir>/bench-results/ for a quick or partial one, so that it cannot replace them.
//
//   node bench/run.mjs [--runs 3]
//                      [--scenarios echo,echo-rate,fanout,connect,idle,polling,echo-tls,connect-tls,idle-tls]
//                      [--threads 1] [--quick] [--build-dir build] [--out DIR]
//
// Timings here are observations, never pass/fail: the run fails only if a scenario breaks
// (lost, duplicated or reordered deliveries, clients that could not connect).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const quick = argv.includes("--quick");
const runs = Number(opt("runs", quick ? 1 : 3));
const threads = opt("threads", "1");
const buildDir = path.resolve(repo, opt("build-dir", "build"));
const loadgen = path.join(buildDir, "bench/sio_bench");
const scenarios = opt("scenarios", "echo,echo-rate,fanout,connect,idle,polling,echo-tls,connect-tls,idle-tls").split(",");
const partial = quick || argv.includes("--scenarios");
const outDir = path.resolve(opt("out", partial ? path.join(buildDir, "bench-results") : here));

const SERVERS = {
  ours: { cmd: path.join(buildDir, "examples/bench_server"), args: ["--threads", threads] },
  node: { cmd: process.execPath, args: [path.join(here, "node/bench_server.js")] },
};

// Loadgen arguments per scenario; `quick` shrinks them for a smoke run.
const SCENARIOS = {
  echo: { gen: "echo", args: quick ? ["--clients", "20", "--duration", "3", "--warmup", "1"] : ["--clients", "50", "--duration", "10"] },
  // Latency at the same offered load for both: half of Node's closed-loop median.
  "echo-rate": { gen: "echo", args: quick ? ["--clients", "20", "--duration", "3", "--warmup", "1"] : ["--clients", "50", "--duration", "10"], rateFrom: "echo" },
  fanout: { gen: "fanout", args: quick ? ["--clients", "200", "--messages", "200"] : ["--clients", "1000", "--messages", "2000", "--window", "10"] },
  connect: { gen: "connect", args: quick ? ["--connections", "300"] : ["--connections", "3000", "--concurrency", "50"] },
  idle: { gen: "idle", args: quick ? ["--connections", "1000", "--duration", "5"] : ["--connections", "15000", "--duration", "60"] },
  polling: { gen: "polling", args: quick ? ["--clients", "50", "--messages", "100"] : ["--clients", "200", "--messages", "500", "--window", "10"] },
};
// The same over TLS: both servers get a certificate of a test CA (scripts/make-test-certs.sh,
// P-256), the generator's WebSocket clients speak wss and make a full handshake each.
SCENARIOS["echo-tls"] = { ...SCENARIOS.echo, tls: true };
SCENARIOS["connect-tls"] = { ...SCENARIOS.connect, tls: true };
SCENARIOS["idle-tls"] = { ...SCENARIOS.idle, tls: true };

// What each scenario is judged by: [label, value(result), higher is better].
const METRICS = {
  echo: [
    ["acks/s", (r) => r.acks_per_second, true],
    ["acks per server CPU-s", (r) => r.acks / r.server_cpu_seconds, true],
    ["p99 ms (closed loop)", (r) => r.p99_ms, false],
  ],
  "echo-rate": [
    ["p50 ms at equal load", (r) => r.p50_ms, false],
    ["p99 ms at equal load", (r) => r.p99_ms, false],
    ["p99.9 ms at equal load", (r) => r.p999_ms, false],
  ],
  fanout: [
    ["deliveries/s", (r) => r.deliveries_per_second, true],
    ["deliveries per server CPU-s", (r) => r.deliveries / r.server_cpu_seconds, true],
    ["p99 delivery ms", (r) => r.p99_ms, false],
  ],
  connect: [
    ["connections/s", (r) => r.connections_per_second, true],
    ["connections per server CPU-s", (r) => r.connected / r.server_cpu_seconds, true],
  ],
  idle: [
    ["RSS KiB per idle connection", (r) => r.rss_per_connection_kib, false],
    ["dropped during the hold", (r) => r.dropped, false],
  ],
  polling: [
    ["deliveries/s", (r) => r.deliveries_per_second, true],
    ["deliveries per server CPU-s", (r) => r.deliveries / r.server_cpu_seconds, true],
  ],
};
METRICS["echo-tls"] = METRICS.echo;
METRICS["idle-tls"] = METRICS.idle;
METRICS["connect-tls"] = [
  ["TLS connections/s", (r) => r.connections_per_second, true],
  ["TLS connections per server CPU-s", (r) => r.connected / r.server_cpu_seconds, true],
];

// The certificate the servers of the TLS scenarios present, made when one of them runs.
let certs;
function tlsArgs() {
  if (!certs) {
    certs = mkdtempSync(path.join(os.tmpdir(), "sio-bench-tls-"));
    spawnSync("bash", [path.join(repo, "scripts/make-test-certs.sh"), certs], { stdio: "inherit" });
    process.on("exit", () => rmSync(certs, { recursive: true, force: true }));
  }
  return ["--tls-cert", path.join(certs, "server.pem"), "--tls-key", path.join(certs, "server.key")];
}

function startServer(name, tls) {
  const { cmd, args } = SERVERS[name];
  const own = tls ? [...args, ...tlsArgs()] : args;
  const proc = spawn(cmd, [...own, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${name}: not listening after 10 s`)), 10_000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = /listening on https?:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]) });
      }
    });
    proc.once("exit", (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

async function stopServer({ proc }) {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  const killer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(killer);
}

function runLoadgen(gen, args, server) {
  return new Promise((resolve, reject) => {
    const p = spawn(loadgen, [gen, "--port", String(server.port), "--server-pid", String(server.proc.pid), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sio_bench ${gen} exited with ${code}`))));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function check(scenario, name, r) {
  const bad = (r.errors ?? 0) > 0 || (r.failures ?? 0) > 0 || (scenario === "idle" && r.dropped > 0);
  if (bad) throw new Error(`${scenario} on ${name} broke: ${JSON.stringify(r)}`);
}

async function main() {
  for (const f of [loadgen, SERVERS.ours.cmd]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (scripts/build.sh)`);
  }
  if (!existsSync(path.join(here, "node/node_modules/socket.io"))) {
    throw new Error("bench/node/node_modules is missing: run `npm ci` in bench/node");
  }
  const results = {};
  for (const scenario of scenarios) {
    const def = SCENARIOS[scenario];
    results[scenario] = { ours: [], node: [] };
    for (let run = 0; run < runs; run++) {
      for (const name of ["ours", "node"]) {
        let args = def.args;
        if (def.rateFrom) {
          const base = results[def.rateFrom]?.node.map((r) => r.acks_per_second) ?? [];
          const rate = base.length ? Math.round(median(base) / 2) : 2000;
          args = [...args, "--rate", String(rate)];
        }
        const server = await startServer(name, def.tls);
        try {
          const r = await runLoadgen(def.gen, def.tls ? [...args, "--tls", "1"] : args, server);
          check(scenario, name, r);
          results[scenario][name].push(r);
          process.stderr.write(`${scenario} run ${run + 1}/${runs} ${name}: ${JSON.stringify(r)}\n`);
        } finally {
          await stopServer(server);
        }
      }
    }
  }

  const rows = [];
  for (const scenario of scenarios) {
    for (const [label, value, higher] of METRICS[scenario]) {
      const ours = results[scenario].ours.map(value);
      const node = results[scenario].node.map(value);
      const ratio = median(ours) / median(node);
      rows.push({ scenario, label, higher, ours: median(ours), oursMin: Math.min(...ours), oursMax: Math.max(...ours),
        node: median(node), nodeMin: Math.min(...node), nodeMax: Math.max(...node), ratio });
    }
  }
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    `Command: \`node bench/run.mjs ${argv.join(" ")}\``.replace(/ `$/, "`"),
    "",
    `Machine: ${os.cpus().length} × ${cpu}, Linux ${os.release()}; ours: bench_server --threads ${threads}; Node ${process.version}, socket.io 4.8.4. ${runs} run(s) per server, alternating; medians (min–max).`,
    "",
    "| scenario | figure | sio-cpp | Node socket.io | ours / Node |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.scenario} | ${r.label} | ${fmt(r.ours)} (${fmt(r.oursMin)}–${fmt(r.oursMax)}) | ${fmt(r.node)} (${fmt(r.nodeMin)}–${fmt(r.nodeMax)}) | ${r.ratio.toFixed(2)}× |`),
  ];
  console.log(lines.join("\n"));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "results.json"), JSON.stringify({ date: new Date().toISOString(), threads, runs, results, rows }, null, 1));
  writeFileSync(path.join(outDir, "results-table.md"), lines.join("\n") + "\n");
  drawChart(rows);
  console.log(`results written to ${path.relative(process.cwd(), outDir) || "."}/`);
}

// Bars of ours/Node per figure, normalised so that right of the 1× line is better for us.
function drawChart(rows) {
  const width = 900, rowH = 26, top = 40, left = 330, scaleW = 500;
  const shown = rows.filter((r) => Number.isFinite(r.ratio) && r.ratio > 0 && !r.label.startsWith("dropped"));
  const better = (r) => (r.higher ? r.ratio : 1 / r.ratio);
  const max = Math.max(2, ...shown.map(better)) * 1.1;
  const x = (v) => left + (Math.log(v) / Math.log(max)) * scaleW * 0.5 + scaleW * 0.5;
  const height = top + shown.length * rowH + 30;
  const bars = shown.map((r, i) => {
    const y = top + i * rowH;
    const v = better(r);
    const x0 = x(1), x1 = x(v);
    return `<text x="${left - 8}" y="${y + 17}" text-anchor="end" font-size="13">${r.scenario}: ${r.label}</text>` +
      `<rect x="${Math.min(x0, x1)}" y="${y + 5}" width="${Math.abs(x1 - x0)}" height="16" fill="${v >= 1 ? "#2e7d32" : "#c62828"}"/>` +
      `<text x="${Math.max(x0, x1) + 4}" y="${y + 17}" font-size="12">${v.toFixed(2)}×</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">sio-cpp vs Node socket.io: how many times better (log scale, right of 1× = sio-cpp better)</text>` +
    `<line x1="${x(1)}" y1="${top}" x2="${x(1)}" y2="${height - 25}" stroke="#333"/>` +
    `<text x="${x(1)}" y="${height - 10}" text-anchor="middle" font-size="12">1×</text>` +
    bars.join("") + `</svg>`;
  const svgPath = path.join(outDir, "ratios.svg");
  writeFileSync(svgPath, svg);
  const chromium = "/usr/bin/chromium";
  if (!existsSync(chromium)) return;
  spawnSync(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    `--screenshot=${path.join(outDir, "ratios.png")}`, `--window-size=${width},${height}`, `file://${svgPath}`], { stdio: "ignore", timeout: 60_000 });
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
