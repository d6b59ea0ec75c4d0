// TLS: the chat demo with --tls-cert/--tls-key (HTTPS and WSS only on its port) and its Node twin
// (https.createServer), with certificates from a test CA made for the run
// (scripts/make-test-certs.sh; server.pem holds the chain through an intermediate). Per target:
//   - socket.io-client 4.x with `ca`: polling, WebSocket and upgrading clients chat together;
//   - socket.io-client 2.x (EIO=3) with `ca` chats with them;
//   - a client trusting no test CA, or another CA, is refused (connect_error);
//   - ALPN http/1.1, a TLS 1.1 client refused by the server, plain HTTP on the port unanswered;
//   - SIGHUP reloads the certificate: new connections get the renewed one, open ones go on;
//   - Chromium, with the test CA trusted in its NSS database, loads the chat over https and
//     chats over polling then wss.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, mkdirSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { skipReason } from "../lib/fixture.js";
import { testCerts } from "../lib/certs.js";
import { CHAT_TARGETS, startServer } from "../lib/server.js";
import { connectSio, connectSioV2, once, SIO_VARIANTS } from "../lib/sio.js";
import { withTimeout, sleep } from "../lib/time.js";
import { browserMissing, launchBrowser, openChat, waitConnected, typeAndSend, waitItem } from "../lib/browser.js";

const certs = testCerts();
const CA = certs.ca;
const OTHER_CA = certs.otherCa;

/** Copies certificate `name` (server, renewed) to the files the server of `dir` reads. */
function install(dir, name) {
  copyFileSync(certs.file(`${name}.pem`), path.join(dir, "live.pem"));
  copyFileSync(certs.file(`${name}.key`), path.join(dir, "live.key"));
}

/** A TLS connection to `port`: resolves with what it negotiated, or rejects with its error. */
function probe(port, opts = {}) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const s = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: CA, ...opts }, () => {
        const result = { alpn: s.alpnProtocol, version: s.getProtocol(), name: s.getPeerCertificate().subject.CN };
        s.end();
        resolve(result);
      });
      s.once("error", reject);
    }),
    5000,
    "TLS probe",
  );
}

/** The NSS database (in a HOME of its own) in which Chromium trusts the test CA. */
function trustingHome() {
  const home = mkdtempSync(path.join(os.tmpdir(), "sio-tls-home-"));
  const db = `sql:${path.join(home, ".pki/nssdb")}`;
  mkdirSync(path.join(home, ".pki/nssdb"), { recursive: true });
  execFileSync("certutil", ["-d", db, "-N", "--empty-password"]);
  execFileSync("certutil", ["-d", db, "-A", "-t", "C,,", "-n", "sio-cpp test CA", "-i", certs.file("ca.pem")]);
  return home;
}

function certutilMissing() {
  try {
    execFileSync("certutil", ["-H"], { stdio: "ignore" });
    return false;
  } catch (e) {
    return e.code === "ENOENT" ? "no certutil (libnss3-tools)" : false;
  }
}

for (const target of CHAT_TARGETS) {
  describe(`TLS chat [${target.name}]`, { skip: skipReason(target) }, () => {
    const dir = mkdtempSync(path.join(certs.dir, `${target.name}-`));
    install(dir, "server");
    let server;
    before(async () => {
      server = await startServer(target, ["--tls-cert", path.join(dir, "live.pem"), "--tls-key", path.join(dir, "live.key")]);
    });
    after(async () => {
      await server?.stop();
    });

    test("the listening line says https", () => {
      assert.match(server.base, /^https:/);
    });

    test("ALPN http/1.1, TLS 1.2 or later", async () => {
      const got = await probe(server.port, { ALPNProtocols: ["h2", "http/1.1"] });
      assert.equal(got.alpn, "http/1.1");
      assert.match(got.version, /^TLSv1\.[23]$/);
      assert.equal(got.name, "sio-cpp test server");
    });

    test("a TLS 1.1 client is refused by the server", async () => {
      // SECLEVEL=0 lets our client offer TLS 1.1 at all: the refusal is the server's alert.
      await assert.rejects(probe(server.port, { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" }), (e) => {
        assert.match(e.code, /ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/, e.message);
        return true;
      });
    });

    test("plain HTTP on the TLS port gets no HTTP answer", async () => {
      const sock = net.connect(server.port, "127.0.0.1");
      sock.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
      let got = "";
      sock.on("data", (d) => (got += d.toString("latin1")));
      sock.on("error", () => {}); // closed with the request unread: a reset is a close too
      await withTimeout(new Promise((r) => sock.once("close", r)), 5000, "the server closing");
      assert.ok(!got.startsWith("HTTP/"), `answered: ${got.slice(0, 60)}`);
    });

    test("clients trusting no test CA, or another CA, are refused", async (t) => {
      await assert.rejects(connectSio(t, server, "/", { transports: ["websocket"] }));
      await assert.rejects(connectSio(t, server, "/", { transports: ["polling"], ca: OTHER_CA }));
    });

    test("socket.io-client 4.x (polling, websocket, upgrade) and 2.x chat over TLS", async (t) => {
      const clients = [];
      for (const variant of SIO_VARIANTS) clients.push(await connectSio(t, server, "/", { ...variant.opts, ca: CA }));
      clients.push(await connectSioV2(t, server, "/", { ca: CA }));
      for (const [i, from] of clients.entries()) {
        const text = `over TLS from client ${i} ✔`;
        const heard = clients.map((c) => once(c, "chat message"));
        from.emit("chat message", text);
        for (const got of await Promise.all(heard)) assert.deepEqual(got, [text]);
      }
      assert.equal(clients[0].io.engine.transport.name, "polling");
      assert.equal(clients[1].io.engine.transport.name, "websocket");
    });

    test("the upgrading client ends on wss", async (t) => {
      const client = await connectSio(t, server, "/", { ca: CA });
      if (client.io.engine.transport.name !== "websocket") await once(client.io.engine, "upgrade");
      const heard = once(client, "chat message");
      client.emit("chat message", "after the upgrade");
      assert.deepEqual(await heard, ["after the upgrade"]);
    });

    test("SIGHUP reloads the certificate; open connections go on", async (t) => {
      const before = await connectSio(t, server, "/", { transports: ["websocket"], ca: CA });
      install(dir, "renewed");
      server.proc.kill("SIGHUP");
      let name;
      for (let i = 0; i < 50 && name !== "sio-cpp test renewed"; i++) {
        name = (await probe(server.port)).name;
        if (name !== "sio-cpp test renewed") await sleep(100);
      }
      assert.equal(name, "sio-cpp test renewed");
      const after = await connectSio(t, server, "/", { transports: ["polling"], ca: CA });
      const heard = [once(before, "chat message"), once(after, "chat message")];
      before.emit("chat message", "still here after the reload");
      for (const got of await Promise.all(heard)) assert.deepEqual(got, ["still here after the reload"]);
      install(dir, "server");
    });

    const noBrowser = browserMissing() || certutilMissing();
    test("Chromium trusting the test CA loads the chat over https and chats over wss", { skip: noBrowser, timeout: 60_000 }, async () => {
      const home = trustingHome();
      const browser = await launchBrowser({ env: { ...process.env, HOME: home } });
      try {
        const pages = [await openChat(browser, server.base), await openChat(browser, server.base)];
        for (const p of pages) await waitConnected(p.page, "websocket");
        await typeAndSend(pages[0].page, "hello over https 🔒");
        for (const p of pages) await waitItem(p.page, "hello over https 🔒");
        const seen = pages[0].websockets;
        assert.ok(seen.length > 0 && seen.every((u) => u.startsWith("wss://")), `websockets: ${seen}`);
        assert.deepEqual(pages[0].errors, []);
      } finally {
        await browser.close();
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
}
