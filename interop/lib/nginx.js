// A private nginx (Debian's /usr/sbin/nginx, or $NGINX) on a free port of 127.0.0.1, in a
// temporary directory of its own, proxying plain requests and WebSocket upgrades to an upstream.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./server.js";

const NGINX = process.env.NGINX ?? "/usr/sbin/nginx";

function config(dir, port, servers, hash) {
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((name) => `  ${name}_temp_path ${dir}/${name};`)
    .join("\n");
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
  access_log off;
${temp}
  upstream backends {
${hash ? `    hash ${hash};\n` : ""}${servers.map((s) => `    server ${s};`).join("\n")}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
    }
  }
}
`;
}

/**
 * Starts nginx in front of `servers` (upstream addresses: "127.0.0.1:PORT", "unix:/path"),
 * balanced by the `hash` key when given. Resolves once a polling handshake through it answers
 * 200. `stop()` quits it (SIGQUIT) and removes its directory; a process exit kills it.
 * @returns {Promise<{base: string, stop: () => Promise<void>}>}
 */
export async function startNginx({ servers, hash }) {
  const dir = mkdtempSync(path.join(tmpdir(), "sio-nginx-"));
  const port = await freePort();
  writeFileSync(path.join(dir, "nginx.conf"), config(dir, port, servers, hash));
  const proc = spawn(NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: "inherit" });
  const kill = () => proc.kill("SIGKILL");
  process.once("exit", kill);
  const stop = async () => {
    process.off("exit", kill);
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGQUIT");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  while ((await fetch(`${base}/socket.io/?EIO=4&transport=polling`).catch(() => null))?.status !== 200) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx in front of ${servers.join(", ")} did not answer within 5 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { base, stop };
}
