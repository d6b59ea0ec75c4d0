// The certificates of the TLS tests: a test CA and server certificates made for the run by
// scripts/make-test-certs.sh in a temporary directory, removed when the test file ends.
import { after } from "node:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_DIR } from "./server.js";

/**
 * Makes the certificates (once per call): `dir`, `ca` and `otherCa` (PEM buffers), `file(name)`
 * (a path in dir), `serverArgs` (the --tls-cert/--tls-key flags for server.pem and server.key).
 */
export function testCerts() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sio-tls-"));
  execFileSync("bash", [path.join(REPO_DIR, "scripts/make-test-certs.sh"), dir]);
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name) => path.join(dir, name);
  return {
    dir,
    file,
    ca: readFileSync(file("ca.pem")),
    otherCa: readFileSync(file("other-ca.pem")),
    serverArgs: ["--tls-cert", file("server.pem"), "--tls-key", file("server.key")],
  };
}
